package org.iteralign.core.pipeline;

import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;

import java.util.List;

/** A chat model that shows each batch it answers as a progress bar, for code (evaluation suites) that shows none. */
final class ProgressReportingModel implements ChatModel {
    private final ChatModel model;
    private final String label;
    private final ProgressListener progress;

    ProgressReportingModel(ChatModel model, String label, ProgressListener progress) {
        this.model = model;
        this.label = label;
        this.progress = progress;
    }

    @Override
    public String id() {
        return model.id();
    }

    @Override
    public void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
        progress.start(label, batch.size(), 0);
        try {
            model.generate(batch, sampling, (i, c) -> {
                sink.accept(i, c);
                progress.advance(1);
            });
        } finally {
            progress.finish();
        }
    }
}
