package ai.aster.model.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Decides who runs in each engine step, never touching tensors: every decoding sequence advances one token, then
 * prompts in progress and newly admitted requests share what is left of the step's token budget (a long prompt is
 * prefilled in chunks over several steps). Requests join between steps while there are batch slots and leave as
 * soon as they finish or their client goes away. Used by the engine thread only.
 */
public final class Scheduler {

    private final int maxBatchSize;
    private final int maxTokensPerStep;
    private final KvCacheManager caches;
    /** Creates the sampler of choice i of a request (seeded per choice). */
    private final SequenceFactory sequences;
    private final ArrayDeque<RequestState> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();

    /** Builds a request's sequences; lives outside so the scheduler knows nothing about sampling. */
    public interface SequenceFactory {
        Sequence create(RequestState request, int index, Sequence.Status status);
    }

    public Scheduler(int maxBatchSize, int maxTokensPerStep, KvCacheManager caches, SequenceFactory sequences) {
        this.maxBatchSize = maxBatchSize;
        // every running sequence must be able to decode in every step
        this.maxTokensPerStep = Math.max(maxTokensPerStep, maxBatchSize);
        this.caches = caches;
        this.sequences = sequences;
    }

    void add(RequestState request) {
        waiting.add(request);
    }

    /**
     * Removes requests whose client went away (waiting or running) and frees their caches.
     *
     * @return how many waiting requests were removed (they leave the queue count)
     */
    int dropCancelled(List<RequestState> droppedRunning) {
        int droppedWaiting = 0;
        for (Iterator<RequestState> it = waiting.iterator(); it.hasNext(); ) {
            if (it.next().cancelled) {
                it.remove();
                droppedWaiting++;
            }
        }
        for (Iterator<Sequence> it = running.iterator(); it.hasNext(); ) {
            Sequence seq = it.next();
            if (seq.owner.cancelled) {
                it.remove();
                caches.release(seq);
                seq.status = Sequence.Status.FINISHED;
                seq.finishReason = "abort";
                if (!droppedRunning.contains(seq.owner)) {
                    droppedRunning.add(seq.owner);
                }
            }
        }
        return droppedWaiting;
    }

    /**
     * Plans one step.
     *
     * @param admitNew false while a weights swap waits for the running requests to drain
     * @param admitted receives the requests admitted in this step (they leave the waiting queue)
     */
    SchedulerOutput schedule(boolean admitNew, List<RequestState> admitted) {
        List<Work> works = new ArrayList<>();
        int budget = maxTokensPerStep;
        int prefillTokens = 0;
        for (Sequence seq : running) {
            if (seq.status == Sequence.Status.DECODE) {
                works.add(new Work(seq, new int[] {seq.lastToken()}, List.of(seq), List.of()));
                budget--;
            }
        }
        for (Sequence seq : running) {
            if (budget <= 0) {
                break;
            }
            if (seq.status == Sequence.Status.PREFILL) {
                int chunk = prefillChunk(seq, budget, works);
                budget -= chunk;
                prefillTokens += chunk;
            }
        }
        while (admitNew && budget > 0 && !waiting.isEmpty()) {
            RequestState request = waiting.peek();
            int n = request.request.n();
            if (!running.isEmpty() && running.size() + n > maxBatchSize) {
                break;
            }
            waiting.poll();
            admitted.add(request);
            Sequence primary = sequences.create(request, 0, Sequence.Status.PREFILL);
            request.sequences.add(primary);
            for (int i = 1; i < n; i++) {
                request.sequences.add(sequences.create(request, i, Sequence.Status.WAITING_FORK));
            }
            running.addAll(request.sequences);
            caches.allocate(primary);
            int chunk = prefillChunk(primary, budget, works);
            budget -= chunk;
            prefillTokens += chunk;
        }
        return new SchedulerOutput(works, prefillTokens);
    }

    /** Adds the next prompt chunk of {@code seq} (at most {@code budget} tokens) and returns its length. */
    private int prefillChunk(Sequence seq, int budget, List<Work> works) {
        int[] prompt = seq.prompt();
        int remaining = prompt.length - seq.promptComputed;
        int take = Math.min(remaining, budget);
        int[] tokens = java.util.Arrays.copyOfRange(prompt, seq.promptComputed, seq.promptComputed + take);
        if (take == remaining) {
            List<Sequence> forks = seq.owner.sequences.subList(1, seq.owner.sequences.size());
            List<Sequence> samplers = new ArrayList<>(seq.owner.sequences.size());
            samplers.add(seq);
            samplers.addAll(forks);
            works.add(new Work(seq, tokens, samplers, List.copyOf(forks)));
        } else {
            works.add(new Work(seq, tokens, List.of(), List.of()));
        }
        return take;
    }

    /** A sequence ended: it leaves the batch and its cache goes to the prefix cache. */
    void finish(Sequence seq) {
        running.remove(seq);
        caches.release(seq);
    }

    /** A sequence whose step failed: it leaves the batch and its cache is closed. */
    void fail(Sequence seq) {
        running.remove(seq);
        caches.discard(seq);
        seq.status = Sequence.Status.FINISHED;
    }

    int runningCount() {
        return running.size();
    }

    int waitingCount() {
        return waiting.size();
    }

    boolean hasWork() {
        return !running.isEmpty() || !waiting.isEmpty();
    }

    /** All requests still held (waiting or running), e.g. to fail them on shutdown. */
    List<RequestState> allRequests() {
        List<RequestState> all = new ArrayList<>(waiting);
        for (Sequence seq : running) {
            if (!all.contains(seq.owner)) {
                all.add(seq.owner);
            }
        }
        return all;
    }

}
