package dev.sift.es.retriever;

import dev.sift.engine.Cancellation;
import org.elasticsearch.ElasticsearchStatusException;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.tasks.CancellableTask;

/**
 * The search tasks a retriever's selection stops for: the outer search, which holds the retriever and which a user
 * cancels (through the tasks API, or by closing the connection), and the inner search, which runs the selection
 * in its rank-feature phase on the coordinating node. Elasticsearch 8.19 gives that phase no task, and the
 * compound retriever's inner search is not a child of the outer one, so {@link SiftSearchTaskFilter} records both
 * here as they start; the selection checks them once per greedy step. It also applies the outer search's
 * {@code timeout}, which Elasticsearch does not pass on to the inner search: past it the selection stops with a
 * 504 naming the timeout (a retriever cannot mark its outer response {@code timed_out} with partial hits).
 *
 * <p>One instance is shared by a retriever, its rewritten copies and the rank builder of its inner search, all on
 * the coordinating node; it is never serialised.
 */
final class SelectionTasks implements Cancellation {

    private volatile CancellableTask outer;
    private volatile CancellableTask inner;
    private volatile TimeValue timeout;
    /** {@link System#nanoTime} past which the outer search is out of time; meaningful when {@link #timeout} is set. */
    private volatile long deadline;

    /** @param timeout the outer search's {@code timeout}, or null */
    void watchOuter(CancellableTask task, TimeValue timeout) {
        if (timeout != null && timeout.nanos() >= 0) {
            this.deadline = task.getStartTimeNanos() + timeout.nanos();
            this.timeout = timeout;
        }
        this.outer = task;
    }

    void watchInner(CancellableTask task) {
        this.inner = task;
    }

    /**
     * @throws org.elasticsearch.tasks.TaskCancelledException if either search was cancelled
     * @throws ElasticsearchStatusException (504) past the outer search's timeout
     */
    @Override
    public void check() {
        TimeValue limit = timeout;
        if (limit != null && System.nanoTime() - deadline > 0) {
            throw new ElasticsearchStatusException(
                "the [sift] retriever's selection stopped at the search's [timeout] of [{}]",
                RestStatus.GATEWAY_TIMEOUT,
                limit
            );
        }
        CancellableTask task = outer;
        if (task != null) {
            task.ensureNotCancelled();
        }
        task = inner;
        if (task != null) {
            task.ensureNotCancelled();
        }
    }
}
