package org.iteralign.core.training;

import org.iteralign.core.backend.OpenAiFineTuning;
import org.iteralign.core.config.RunConfig;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.pipeline.ProgressListener;
import org.iteralign.core.pipeline.Trainer;
import org.iteralign.core.pipeline.TrainerState;

import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code training.trainer: openai}: hosted fine-tuning of the target through the OpenAI fine-tuning API (or a
 * provider that copies it). Each iteration uploads its chat JSONL, creates a job on the model it red-teamed and
 * waits for it; the fine-tuned model becomes the next iteration's target.
 *
 * <p>The file id and the job id are in {@code run.db} before the trainer waits on them, so a killed run resumes
 * waiting on the same job rather than uploading again and paying for a second one; a run killed in the moment between
 * creating a job and recording it finds the job among the provider's recent jobs by its training file. A job that fails or is
 * cancelled is forgotten (the upload is kept): {@code --resume} then starts a new job on the same file.
 *
 * <p>The cost is the job's {@code trained_tokens} times {@code training.price_per_million_tokens}, the price the
 * user copies from the provider's price list; prices change, so none is built in and, without one, only the tokens
 * are recorded.
 */
public final class OpenAiTrainer implements Trainer {
    static final String FILE_ID = "openai.file_id";
    static final String JOB_ID = "openai.job_id";
    static final String FINE_TUNED_MODEL = "openai.fine_tuned_model";
    static final String TRAINED_TOKENS = "openai.trained_tokens";
    static final String COST_USD = "openai.cost_usd";
    /** The first wait between two looks at a job; it doubles up to {@code longestWait}. */
    private static final Duration FIRST_WAIT = Duration.ofSeconds(2);
    private static final int EVENTS_PER_LOOK = 20;

    private final OpenAiFineTuning api;
    private final RunConfig.Training settings;
    private final Duration longestWait;

    /** @param longestWait the wait between looks at a running job grows to this ({@code training.poll_seconds}) */
    public OpenAiTrainer(OpenAiFineTuning api, RunConfig.Training settings, Duration longestWait) {
        this.api = api;
        this.settings = settings;
        this.longestWait = longestWait;
    }

    @Override
    public String name() {
        return "openai";
    }

    @Override
    public TrainedModel train(TrainingJob job, ProgressListener progress, Consumer<TrainingStep> log) {
        TrainerState state = job.state();
        String model = ModelSpec.parse(job.currentModel()).name();
        String fileId = state.get(FILE_ID).orElseGet(() -> {
            progress.note("iteration %d: uploading %d SFT examples to %s".formatted(job.iteration(), job.examples().size(), api.label()));
            String id = api.upload(job.sftOpenAi());
            state.put(FILE_ID, id);
            return id;
        });
        // A run killed between creating the job and recording its id finds the job by its file, which only it used.
        String jobId = state.get(JOB_ID).or(() -> api.liveJobOn(fileId)).orElseGet(() -> {
            String suffix = settings.suffix() == null || settings.suffix().isBlank() ? null
                    : settings.suffix() + "-it" + job.iteration();
            OpenAiFineTuning.Job created = api.create(model, fileId, suffix, settings.epochs());
            return created.id();
        });
        state.put(JOB_ID, jobId);
        progress.note("iteration %d: fine-tuning %s in job %s (file %s)".formatted(job.iteration(), model, jobId, fileId));
        OpenAiFineTuning.Job done = waitFor(jobId, progress);
        if (!done.status().equals("succeeded")) {
            state.remove(JOB_ID);
            throw new ModelCallException(api.label() + ": fine-tuning job " + jobId + " " + done.status()
                    + (done.error() == null ? "" : ": " + done.error()) + "; --resume starts a new job on the uploaded file "
                    + fileId, false);
        }
        state.put(FINE_TUNED_MODEL, done.fineTunedModel());
        state.put(TRAINED_TOKENS, Long.toString(done.trainedTokens()));
        String cost;
        if (settings.pricePerMillionTokens() > 0) {
            double usd = done.trainedTokens() * settings.pricePerMillionTokens() / 1e6;
            state.put(COST_USD, String.format(Locale.ROOT, "%.4f", usd));
            cost = String.format(Locale.ROOT, "$%.2f at $%.2f per 1M training tokens", usd, settings.pricePerMillionTokens());
        } else {
            cost = "cost not computed (set training.price_per_million_tokens from the provider's price list)";
        }
        return new TrainedModel(api.specOf(done.fineTunedModel()), true,
                "openai: job %s fine-tuned %s on %d examples (%d epochs) into %s; %d trained tokens, %s".formatted(
                        jobId, model, job.examples().size(), settings.epochs(), done.fineTunedModel(), done.trainedTokens(), cost));
    }

    /** Looks at the job until it ends, waiting longer each time, and passes on the provider's new events. */
    private OpenAiFineTuning.Job waitFor(String jobId, ProgressListener progress) {
        Set<String> shown = new HashSet<>();
        Duration wait = FIRST_WAIT.compareTo(longestWait) < 0 ? FIRST_WAIT : longestWait;
        while (true) {
            OpenAiFineTuning.Job current = api.job(jobId);
            for (var event : api.events(jobId, EVENTS_PER_LOOK)) {
                if (shown.add(event.id())) progress.note("  " + jobId + ": " + event.message());
            }
            if (current.finished()) return current;
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ModelCallException(api.label() + ": interrupted while waiting for job " + jobId
                        + "; --resume waits for the same job", false, e);
            }
            wait = wait.multipliedBy(2).compareTo(longestWait) < 0 ? wait.multipliedBy(2) : longestWait;
        }
    }
}
