package com.mking.backup.cli;

import com.mking.backup.source.SourceReference;
import com.mking.backup.source.SourceRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "sources", mixinStandardHelpOptions = true, description = "The source kinds a job can use and every "
        + "parameter of each: type, default, meaning and an example (Markdown, as in the README).")
final class SourcesCommand implements Callable<Integer> {

    @Parameters(paramLabel = "KIND", arity = "0..1", description = "one source kind, e.g. redis (default: all)")
    String kind;

    @Override
    public Integer call() throws Exception {
        SourceRegistry sources = SourceReference.sources(); // no runtime: it must print where nothing else starts yet
        System.out.print(SourceReference.markdown(kind == null ? sources.all() : List.of(sources.get(kind))));
        return MkingBackup.OK;
    }
}
