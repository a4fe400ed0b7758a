package org.iteralign.core.serve;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.iteralign.core.embedded.EmbeddedChatModel;
import org.iteralign.engine.generate.Generation;
import org.iteralign.engine.generate.Generator;
import org.iteralign.engine.generate.SamplingParams;
import org.iteralign.engine.generate.StopCondition;
import org.iteralign.engine.tokenizer.Tokenizer;

/**
 * Runs requests through the engine, many at once. One thread owns the model: it takes every request that has
 * arrived (waiting {@code linger} after the first, so requests sent together meet), groups those that can share
 * an engine batch and runs each group as one batched generation, in which every weight is read once per step
 * for all sequences. The engine's batch shares its sampling settings and stop condition, so those make the
 * group; a sampled request with its own seed runs alone, because a sequence's random stream depends on its place
 * in the batch and the same seed must give the same answer. Greedy answers do not depend on the batch at all.
 */
final class EngineBatcher implements AutoCloseable {
    private final Tokenizer tokenizer;
    private final Generator generator;
    private final TokenLogprobs logprobs;
    private final int maxSequences;
    private final Duration linger;
    private final Consumer<String> log;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final AtomicLong soloKeys = new AtomicLong();
    private final Thread thread;
    private volatile boolean closing;

    /** Thrown from inside a generation to end it early: the server is stopping or nobody waits for the answers. */
    private static final class BatchAborted extends RuntimeException {
        BatchAborted() {
            super(null, null, false, false);
        }
    }

    /** What a batch must share; {@code solo} is 0 for requests that may share, else unique to one request. */
    private record BatchKey(SamplingParams sampling, int maxTokens, List<String> stops, long solo) {}

    /**
     * @param maxSequences most sequences in one engine batch (each holds its own KV cache in memory)
     * @param log          receives a line when a batch fails
     */
    EngineBatcher(EmbeddedChatModel model, int maxSequences, Duration linger, Consumer<String> log) {
        this.tokenizer = model.tokenizer();
        this.generator = new Generator(model.model());
        this.logprobs = new TokenLogprobs(model.model());
        this.maxSequences = maxSequences;
        this.linger = linger;
        this.log = log;
        this.thread = Thread.ofPlatform().name("iteralign-serve-engine").daemon().start(this::dispatch);
    }

    /** Queues a request; its events follow on the returned job. */
    Job submit(GenerationRequest request) {
        Job job = new Job(request, tokenizer);
        if (closing) {
            job.post(Job.Failed.stopping());
        } else {
            queue.add(job);
        }
        return job;
    }

    /** Ends the running batch at its next token, fails what is queued, and waits for the engine thread to stop. */
    @Override
    public void close() {
        closing = true;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Job job; (job = queue.poll()) != null; ) job.post(Job.Failed.stopping());
    }

    private void dispatch() {
        List<Job> round = new ArrayList<>();
        try {
            while (!closing) {
                round.add(queue.take());
                if (linger.isPositive()) Thread.sleep(linger);
                queue.drainTo(round);
                for (List<Job> batch : batches(round)) run(batch);
                round.clear();
            }
        } catch (InterruptedException stopping) {
            // close() interrupts the engine thread; what it had taken is failed here, the queue there.
            round.forEach(job -> job.post(Job.Failed.stopping()));
        }
    }

    /** Groups by what the engine batch must share, in order of arrival, at most maxSequences per batch. */
    private List<List<Job>> batches(List<Job> round) {
        Map<BatchKey, List<Job>> groups = new LinkedHashMap<>();
        for (Job job : round) groups.computeIfAbsent(key(job.request), k -> new ArrayList<>()).add(job);
        List<List<Job>> out = new ArrayList<>();
        for (List<Job> group : groups.values()) {
            List<Job> batch = new ArrayList<>();
            int sequences = 0;
            for (Job job : group) {
                int n = job.request.prompts().size();
                if (!batch.isEmpty() && sequences + n > maxSequences) {
                    out.add(batch);
                    batch = new ArrayList<>();
                    sequences = 0;
                }
                batch.add(job);
                sequences += n;
            }
            out.add(batch);
        }
        return out;
    }

    private BatchKey key(GenerationRequest r) {
        SamplingParams s = r.sampling();
        if (s.isGreedy()) {
            // Greedy picks ignore top-p, top-k and the seed; only the penalties change the choice.
            s = new SamplingParams(0, 1, 0, s.frequencyPenalty(), s.presencePenalty(), 0);
        } else if (!r.seeded()) {
            s = new SamplingParams(s.temperature(), s.topP(), s.topK(), s.frequencyPenalty(), s.presencePenalty(), 0);
        }
        long solo = !s.isGreedy() && r.seeded() ? soloKeys.incrementAndGet() : 0;
        return new BatchKey(s, r.maxTokens(), r.stops(), solo);
    }

    private void run(List<Job> batch) {
        List<Job> jobs = batch.stream().filter(job -> !job.abandoned()).toList();
        if (jobs.isEmpty()) return;
        if (closing) {
            jobs.forEach(job -> job.post(Job.Failed.stopping()));
            return;
        }
        List<int[]> prompts = new ArrayList<>();
        List<Job> owners = new ArrayList<>();
        List<Integer> choices = new ArrayList<>();
        for (Job job : jobs) {
            for (int c = 0; c < job.request.prompts().size(); c++) {
                prompts.add(job.request.prompts().get(c));
                owners.add(job);
                choices.add(c);
            }
        }
        GenerationRequest first = jobs.getFirst().request;
        SamplingParams sampling = first.sampling();
        if (!sampling.isGreedy() && !first.seeded()) {
            sampling = new SamplingParams(sampling.temperature(), sampling.topP(), sampling.topK(), sampling.frequencyPenalty(),
                    sampling.presencePenalty(), ThreadLocalRandom.current().nextLong());
        }
        StopCondition stop = new StopCondition(first.maxTokens(), tokenizer.endOfGenerationIds(), first.stops(),
                tokenizer::decodePiece);
        try {
            List<Generation> generations = generator.generate(prompts, sampling, stop, (sequence, token) -> {
                if (closing) throw new BatchAborted();
                if (jobs.stream().allMatch(Job::abandoned)) throw new BatchAborted();
                Job job = owners.get(sequence);
                String text = job.texts.get(choices.get(sequence)).accept(token);
                if (!text.isEmpty() && job.streamsDeltas()) job.post(new Job.Delta(choices.get(sequence), text));
            });
            finish(jobs, prompts, owners, choices, generations);
        } catch (BatchAborted e) {
            // Either nobody is left to read the answers, or they are told the server stops.
            jobs.forEach(job -> job.post(Job.Failed.stopping()));
        } catch (RuntimeException e) {
            log.accept("engine failure in a batch of " + prompts.size() + " sequences: " + e);
            jobs.forEach(job -> job.post(new Job.Failed("the engine failed: " + e.getMessage(), false)));
        }
    }

    private void finish(List<Job> jobs, List<int[]> prompts, List<Job> owners, List<Integer> choices,
                        List<Generation> generations) {
        int n = prompts.size();
        int[][] completions = new int[n][];
        List<Integer> scored = new ArrayList<>();
        int top = 0;
        for (int s = 0; s < n; s++) {
            Job job = owners.get(s);
            ChoiceText text = job.texts.get(choices.get(s));
            String tail = text.finish();
            if (!tail.isEmpty() && job.streamsDeltas()) job.post(new Job.Delta(choices.get(s), tail));
            completions[s] = Arrays.copyOf(generations.get(s).tokens(), text.tokens());
            if (job.request.wantsLogprobs()) {
                scored.add(s);
                top = Math.max(top, job.request.logprobs());
            }
        }
        List<List<TokenLogprobs.Scored>> scores = logprobs.score(scored.stream().map(s -> concat(prompts.get(s), completions[s])).toList(), top);
        Map<Job, List<Job.Choice>> answers = new LinkedHashMap<>();
        for (int s = 0; s < n; s++) {
            Job job = owners.get(s);
            ChoiceText text = job.texts.get(choices.get(s));
            String reason = text.stopped() ? "stop" : switch (generations.get(s).finishReason()) {
                case END_OF_GENERATION, STOP_STRING -> "stop";
                case MAX_TOKENS, CONTEXT_FULL -> "length";
            };
            int at = scored.indexOf(s);
            List<TokenLogprobs.Scored> choiceScores = at < 0 ? null : trimmed(scores.get(at), job.request.logprobs());
            answers.computeIfAbsent(job, j -> new ArrayList<>())
                    .add(new Job.Choice(text.text(), reason, prompts.get(s), completions[s], choiceScores));
        }
        for (Job job : jobs) job.post(new Job.Finished(answers.get(job), n));
    }

    private static List<TokenLogprobs.Scored> trimmed(List<TokenLogprobs.Scored> scores, int top) {
        return scores.stream().map(s -> new TokenLogprobs.Scored(s.token(), s.logprob(), s.top().subList(0, Math.min(top, s.top().size())))).toList();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
