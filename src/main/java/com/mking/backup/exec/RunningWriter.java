package com.mking.backup.exec;

import com.mking.backup.pipeline.Pipe;
import com.mking.backup.source.Source;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * An artefact written by Java code ({@link Source.ArtefactStream}) on a thread of its own, read by the pipeline
 * through a bounded {@link Pipe} (at most {@link #CHUNKS} chunks of about {@link #CHUNK_BYTES} wait: the writer blocks
 * while the stores are slower). A writer that throws makes the reader fail with its exception, never end cleanly.
 */
public final class RunningWriter implements RunningOutput {

    static final int CHUNKS = 16;
    static final int CHUNK_BYTES = 64 * 1024;

    private final Pipe pipe = new Pipe(CHUNKS);
    private final Thread thread;
    private volatile boolean killed;

    private RunningWriter(String name, Source.ArtefactStream stream) {
        this.thread = new Thread(() -> write(stream), "artefact-writer-" + name);
        thread.setDaemon(true);
    }

    /** Starts writing artefact {@code name}; its bytes are read from {@link #getStdout()}. */
    public static RunningWriter start(String name, Source.ArtefactStream stream) {
        RunningWriter writer = new RunningWriter(name, stream);
        writer.thread.start();
        return writer;
    }

    private void write(Source.ArtefactStream stream) {
        // the end of the stream is written only after writeTo returned: a writer that closes what it was given (an archive
        // writer in try-with-resources) and then fails must not have ended the artefact cleanly first
        OutputStream out = new BufferedOutputStream(pipe.sink(), CHUNK_BYTES);
        try {
            stream.writeTo(new java.io.FilterOutputStream(out) {
                @Override
                public void write(byte[] buffer, int offset, int length) throws IOException {
                    // in pieces no larger than a chunk: one large write must not become one large chunk in the pipe
                    for (int done = 0; done < length; done += CHUNK_BYTES) {
                        out.write(buffer, offset + done, Math.min(CHUNK_BYTES, length - done));
                    }
                }

                @Override
                public void close() throws IOException {
                    out.flush();
                }
            });
            out.close();
        } catch (Throwable e) {
            if (!killed && !Pipe.isPipeSignal(e)) {
                pipe.abort(e);
            }
        }
    }

    @Override
    public InputStream getStdout() {
        return pipe.source();
    }

    @Override
    public String stderrText() {
        return "";
    }

    @Override
    public void kill() {
        killed = true;
        pipe.abort(new IOException("the artefact writer was stopped"));
        thread.interrupt();
    }
}
