package org.iteralign.core.guard;

import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A real model with a log: every batch it was asked, so a test can inspect the prompts a guard sent it. */
public final class RecordingModel implements ChatModel {
    private final ChatModel model;
    private final List<List<Prompt>> batches = Collections.synchronizedList(new ArrayList<>());

    public RecordingModel(ChatModel model) {
        this.model = model;
    }

    public List<List<Prompt>> batches() {
        return List.copyOf(batches);
    }

    public void clear() {
        batches.clear();
    }

    @Override
    public String id() {
        return model.id();
    }

    @Override
    public void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
        batches.add(List.copyOf(batch));
        model.generate(batch, sampling, sink);
    }
}
