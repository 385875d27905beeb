package com.mking.backup.exec;

import com.mking.backup.source.ToolCommand;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.exec.ExecBinding;
import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecEndpoint;
import org.apache.camel.component.exec.impl.DefaultExecBinding;

import java.util.Map;

/**
 * camel-exec's binding, plus the secrets a command's environment needs ({@link ToolCommand#secretEnvironment}). The
 * header carries only where each secret is; {@link StreamingExecutor} reads the values as it starts the process.
 * Endpoints use it with {@code binding=#toolBinding}.
 */
public final class ToolBinding extends DefaultExecBinding {

    /** Header: {@code Map<String, ToolCommand.Secret>}, variable name to where its value is. */
    public static final String SECRETS = "mkingToolSecrets";

    /** Sets the exec headers for {@code command}: executable, arguments and its secret environment. */
    public static void setHeaders(Message message, ToolCommand command) {
        message.setHeader(ExecBinding.EXEC_COMMAND_EXECUTABLE, command.executable());
        message.setHeader(ExecBinding.EXEC_COMMAND_ARGS, command.args());
        if (command.secretEnvironment().isEmpty()) {
            message.removeHeader(SECRETS);
        } else {
            message.setHeader(SECRETS, command.secretEnvironment());
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public ExecCommand readInput(Exchange exchange, ExecEndpoint endpoint) {
        ExecCommand command = super.readInput(exchange, endpoint);
        Map<String, ToolCommand.Secret> secrets = exchange.getMessage().getHeader(SECRETS, Map.class);
        exchange.getMessage().removeHeader(SECRETS);
        return secrets == null || secrets.isEmpty() ? command : new WithSecrets(command, secrets);
    }

    /** An exec command whose process gets these secrets in its environment. */
    static final class WithSecrets extends ExecCommand {
        private final transient Map<String, ToolCommand.Secret> secrets;

        WithSecrets(ExecCommand command, Map<String, ToolCommand.Secret> secrets) {
            super(command.getExecutable(), command.getArgs(), command.getWorkingDir(), command.getTimeout(),
                    command.getExitValues(), command.getInput(), command.getOutFile(), command.isUseStderrOnEmptyStdout(),
                    command.getCommandLogLevel());
            this.secrets = Map.copyOf(secrets);
        }

        Map<String, ToolCommand.Secret> secrets() {
            return secrets;
        }
    }
}
