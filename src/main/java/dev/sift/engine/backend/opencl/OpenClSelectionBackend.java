package dev.sift.engine.backend.opencl;

import dev.sift.engine.Cancellation;
import dev.sift.engine.Selection;
import dev.sift.engine.SelectionProblem;
import dev.sift.engine.SiftOptions;
import dev.sift.engine.backend.CpuSelectionBackend;
import dev.sift.engine.backend.SelectionBackend;
import dev.sift.engine.backend.SelectionListener;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * SIFT on an OpenCL device ({@link OpenClDevice}), with the CPU for what does not pay off there.
 *
 * <ul>
 *   <li><b>What runs where.</b> A SIFT selection whose window has at least {@code minElements} values (K·d) runs on
 *       the device; smaller ones, and the {@code nearest} and {@code mmr} baselines, run on the CPU backend.</li>
 *   <li><b>Batching.</b> One dispatcher thread drives the device. It takes the oldest waiting selection, waits up to
 *       {@code batchWaitNanos} for more, and runs up to {@code maxBatch} of them together
 *       ({@link OpenClBatch}), so that concurrent small windows share each kernel launch.</li>
 *   <li><b>Device memory.</b> A batch never holds more than {@code memoryBudget} bytes, nor a buffer larger than the
 *       device's largest allocation ({@link OpenClBatch.Footprint}): a selection that alone
 *       needs more runs on the CPU; others wait for the next batch.</li>
 *   <li><b>Failures.</b> A device error (out of memory, a lost device, a failed launch) sends the batch's selections
 *       to the CPU, each with a warning to the {@code warnings} consumer and a fallback counted by the listener; a
 *       search never fails because of the device.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} stops the dispatcher; selections still waiting then run on the CPU.
 */
public final class OpenClSelectionBackend implements SelectionBackend, AutoCloseable {

    public static final String NAME = "gpu";

    private final OpenClDevice device;
    private final CpuSelectionBackend cpu;
    private final SelectionListener listener;
    private final Consumer<String> warnings;
    private final long minElements;
    private final long memoryBudget;
    private final long batchWaitNanos;
    private final int maxBatch;
    private final Runnable afterUpload;
    private final LinkedBlockingDeque<Request> waiting = new LinkedBlockingDeque<>();
    private final Thread dispatcher;
    private volatile boolean closed;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong batchedSelections = new AtomicLong();

    /** A selection waiting for the device. */
    private record Request(OpenClBatch.Job job, CompletableFuture<Selection> result) {}

    /** A device failure, for the waiting caller to fall back on. */
    private static final class DeviceFailure extends RuntimeException {
        DeviceFailure(Throwable cause) {
            super(cause);
        }
    }

    /**
     * @param minElements    smallest K·d that runs on the device
     * @param memoryBudget   most device bytes one batch may hold
     * @param batchWaitNanos how long the dispatcher waits for more selections to join a batch
     * @param maxBatch       most selections in one batch
     * @param threads        makes the dispatcher thread
     * @param warnings       gets one line per device failure
     * @param afterUpload    run by each batch once its inputs are on the device; a seam for tests, else a no-op
     */
    public OpenClSelectionBackend(
        OpenClDevice device,
        CpuSelectionBackend cpu,
        SelectionListener listener,
        long minElements,
        long memoryBudget,
        long batchWaitNanos,
        int maxBatch,
        ThreadFactory threads,
        Consumer<String> warnings,
        Runnable afterUpload
    ) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        this.device = Objects.requireNonNull(device);
        this.cpu = Objects.requireNonNull(cpu);
        this.listener = Objects.requireNonNull(listener);
        this.warnings = Objects.requireNonNull(warnings);
        this.minElements = minElements;
        this.memoryBudget = memoryBudget;
        this.batchWaitNanos = batchWaitNanos;
        this.maxBatch = maxBatch;
        this.afterUpload = Objects.requireNonNull(afterUpload);
        this.dispatcher = threads.newThread(this::dispatch);
        this.dispatcher.setDaemon(true);
        this.dispatcher.start();
    }

    /** The device and its buffers' count. */
    public OpenClDevice openClDevice() {
        return device;
    }

    /** The smallest K·d that runs on the device. */
    public long minElements() {
        return minElements;
    }

    /** The most device bytes one batch holds. */
    public long memoryBudget() {
        return memoryBudget;
    }

    /** Batches run on the device so far. */
    public long batches() {
        return batches.get();
    }

    /** Selections those batches held; divided by {@link #batches()}, the mean batch size. */
    public long batchedSelections() {
        return batchedSelections.get();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String device() {
        return device.info().name();
    }

    @Override
    public Selection sift(SelectionProblem problem, SiftOptions options, Cancellation cancellation) {
        if ((long) problem.candidateCount() * problem.dims() < minElements) {
            return cpu.sift(problem, options, cancellation);
        }
        OpenClBatch.Job job = new OpenClBatch.Job(problem, options, cancellation);
        if (fits(job.footprint()) == false) {
            listener.fellBack(NAME, "too_large");
            return cpu.sift(problem, options, cancellation);
        }
        if (closed) {
            listener.fellBack(NAME, "closed");
            return cpu.sift(problem, options, cancellation);
        }
        long start = System.nanoTime();
        try {
            Selection selection = onDevice(job);
            listener.selected(NAME, problem.candidateCount(), System.nanoTime() - start);
            return selection;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DeviceFailure failure) {
                warnings.accept(
                    "a selection over " + problem.candidateCount() + " candidates failed on OpenCL device [" + device() + "] and runs on the CPU: "
                        + failure.getCause()
                );
                listener.fellBack(NAME, "device_error");
                return cpu.sift(problem, options, cancellation);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime; // the cancellation's own exception
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Whether a batch of this footprint fits the budget and the device's largest allocation. */
    private boolean fits(OpenClBatch.Footprint footprint) {
        return footprint.fits(memoryBudget, device.info().maxAllocationBytes());
    }

    /** Runs the job in the dispatcher's next batch and waits for it. */
    private Selection onDevice(OpenClBatch.Job job) throws ExecutionException {
        Request request = new Request(job, new CompletableFuture<>());
        waiting.add(request);
        try {
            return request.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the OpenCL device", e);
        }
    }

    /**
     * Runs a small selection (64 candidates of 8 dimensions, 2 targets, 4 picks) on the device, whatever
     * {@code minElements}, and checks it against the CPU: so that every kernel is compiled before the first search
     * needs it, and a device that cannot run them, or computes something else, is known at start-up.
     *
     * @throws IllegalStateException saying what failed
     */
    public void warmUp() {
        int k = 64;
        int dims = 8;
        float[] candidates = new float[k * dims];
        float[] targets = new float[2 * dims];
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < candidates.length; i++) {
            candidates[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < targets.length; i++) {
            targets[i] = (float) random.nextGaussian();
        }
        SelectionProblem problem = new SelectionProblem(candidates, targets, dims);
        SiftOptions options = SiftOptions.builder(4).build();
        OpenClBatch.Job job = new OpenClBatch.Job(problem, options, Cancellation.NONE);
        Selection onDevice;
        try {
            onDevice = onDevice(job);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof DeviceFailure f ? f.getCause() : e.getCause();
            throw new IllegalStateException(String.valueOf(cause), cause);
        }
        Selection expected = new CpuSelectionBackend(cpu.ops()).sift(problem, options, Cancellation.NONE);
        for (int n = 0; n < expected.steps(); n++) {
            double error = Math.abs(onDevice.variance(n) - expected.variance(n)) / expected.priorVariance();
            if (n >= onDevice.steps() || onDevice.pick(n) != expected.pick(n) || error > 1e-9) {
                throw new IllegalStateException(
                    "the device's test selection differs from the CPU's: " + onDevice + " instead of " + expected
                );
            }
        }
    }

    @Override
    public Selection nearest(SelectionProblem problem, int picks, double lambda, Cancellation cancellation) {
        return cpu.nearest(problem, picks, lambda, cancellation);
    }

    @Override
    public Selection mmr(SelectionProblem problem, int picks, double mmrLambda, double lambda, Cancellation cancellation) {
        return cpu.mmr(problem, picks, mmrLambda, lambda, cancellation);
    }

    private void dispatch() {
        while (closed == false) {
            List<Request> batch = new ArrayList<>();
            try {
                Request first = waiting.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                OpenClBatch.Footprint footprint = first.job().footprint();
                long deadline = System.nanoTime() + batchWaitNanos;
                while (batch.size() < maxBatch) {
                    Request next = waiting.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    OpenClBatch.Footprint with = footprint.plus(next.job().footprint());
                    if (fits(with) == false) {
                        waiting.addFirst(next); // the next batch's first
                        break;
                    }
                    batch.add(next);
                    footprint = with;
                }
            } catch (InterruptedException e) {
                fail(batch, new DeviceFailure(e));
                break;
            }
            runBatch(batch);
        }
        List<Request> left = new ArrayList<>();
        waiting.drainTo(left);
        fail(left, new DeviceFailure(new IllegalStateException("the OpenCL backend closed")));
    }

    private void runBatch(List<Request> batch) {
        List<OpenClBatch.Job> jobs = new ArrayList<>(batch.size());
        List<Request> live = new ArrayList<>(batch.size());
        for (Request r : batch) {
            try {
                r.job().cancellation().check(); // cancelled while waiting
                jobs.add(r.job());
                live.add(r);
            } catch (RuntimeException e) {
                r.result().completeExceptionally(e);
            }
        }
        if (jobs.isEmpty()) {
            return;
        }
        try {
            batches.incrementAndGet();
            batchedSelections.addAndGet(jobs.size());
            OpenClBatch.Outcome[] outcomes = OpenClBatch.run(device, jobs, afterUpload);
            for (int i = 0; i < outcomes.length; i++) {
                if (outcomes[i].failure() != null) {
                    live.get(i).result().completeExceptionally(outcomes[i].failure());
                } else {
                    live.get(i).result().complete(outcomes[i].selection());
                }
            }
        } catch (Throwable t) {
            fail(live, new DeviceFailure(t));
        }
    }

    private static void fail(List<Request> requests, DeviceFailure failure) {
        for (Request r : requests) {
            r.result().completeExceptionally(failure);
        }
    }

    /** Stops the dispatcher (waiting selections run on the CPU), then releases the device. */
    @Override
    public void close() {
        closed = true;
        try {
            dispatcher.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Request> left = new ArrayList<>(); // came in while the dispatcher stopped
        waiting.drainTo(left);
        fail(left, new DeviceFailure(new IllegalStateException("the OpenCL backend closed")));
        if (dispatcher.isAlive() == false) {
            device.close();
        }
    }
}
