package com.mking.backup.cli;

import com.mking.backup.config.Settings;
import com.mking.backup.pipeline.Keyring;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "keygen", mixinStandardHelpOptions = true, description = "Create a new AES-256 key file (mode 0600). Keep a copy off the backup servers.")
final class KeygenCommand implements Callable<Integer> {

    @Parameters(paramLabel = "KEY_ID", description = "key id, e.g. 2026-11 (letters, digits, . _ -)")
    String keyId;

    @Option(names = "--key-dir", paramLabel = "DIR", defaultValue = "keys", description = "directory of key files (default: ${DEFAULT-VALUE})")
    Path keyDir;

    @Override
    public Integer call() throws Exception {
        Path target = Settings.home().resolve(keyDir).resolve(keyId + ".key");
        if (java.nio.file.Files.exists(target)) {
            throw new IllegalArgumentException(target + " already exists; a key is never overwritten (backups need it): "
                    + "choose another KEY_ID");
        }
        Path file = Keyring.generate(Settings.home().resolve(keyDir), keyId);
        System.out.println("created " + file);
        System.out.println("use it for new backups: mking.encryption.key-dir=" + keyDir + " and mking.encryption.key-id=" + keyId);
        return MkingBackup.OK;
    }
}
