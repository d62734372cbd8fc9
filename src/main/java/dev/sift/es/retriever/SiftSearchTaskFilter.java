package dev.sift.es.retriever;

import dev.sift.es.compute.SiftCompute;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionRequest;
import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.action.ActionRunnable;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.action.support.ActionFilter;
import org.elasticsearch.action.support.ActionFilterChain;
import org.elasticsearch.core.Nullable;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.search.SearchExtBuilder;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.retriever.CompoundRetrieverBuilder;
import org.elasticsearch.search.retriever.RetrieverBuilder;
import org.elasticsearch.tasks.CancellableTask;
import org.elasticsearch.tasks.Task;

/**
 * Where a {@code sift} retriever meets its searches on the coordinating node:
 * <ul>
 *   <li>the outer search, whose source holds the retriever (at the top or nested in other compound retrievers):
 *       its task and {@code timeout} go to the retriever's {@link SelectionTasks};</li>
 *   <li>the inner search, whose source carries the {@link SiftWindowExt} the retriever made: its task goes to the
 *       same {@link SelectionTasks}, and when its response (the window, with the vectors) arrives, the selection is
 *       made over it ({@link SiftWindowSelection}) and kept on that section for the retriever, before the response goes
 *       on. A selection that fails (a bad request, a tripped breaker, a cancelled search) fails the inner search.</li>
 * </ul>
 * Every other request passes untouched after two type checks.
 */
public final class SiftSearchTaskFilter implements ActionFilter {

    @Override
    public int order() {
        return 0;
    }

    @Override
    public <Request extends ActionRequest, Response extends ActionResponse> void apply(
        Task task,
        String action,
        Request request,
        ActionListener<Response> listener,
        ActionFilterChain<Request, Response> chain
    ) {
        if (request instanceof SearchRequest search && search.source() != null) {
            SearchSourceBuilder source = search.source();
            if (source.retriever() != null && task instanceof CancellableTask cancellable) {
                watchOuter(source.retriever(), cancellable, source.timeout());
            }
            SiftWindowExt window = windowOf(source);
            if (window != null) {
                if (task instanceof CancellableTask cancellable) {
                    window.tasks().watchInner(cancellable);
                }
                chain.proceed(task, action, request, selectOnResponse(window, listener));
                return;
            }
        }
        chain.proceed(task, action, request, listener);
    }

    @Nullable
    private static SiftWindowExt windowOf(SearchSourceBuilder source) {
        for (SearchExtBuilder ext : source.ext()) {
            if (ext instanceof SiftWindowExt window) {
                return window;
            }
        }
        return null;
    }

    /**
     * Makes the selection over the inner search's response, on the coordination pool (the response may arrive on a
     * network thread), then passes the response on; a failed selection fails the inner search instead. The response
     * is held (ref-counted) until it has been passed on.
     */
    private static <Response extends ActionResponse> ActionListener<Response> selectOnResponse(
        SiftWindowExt window,
        ActionListener<Response> listener
    ) {
        return listener.delegateFailureAndWrap((delegate, response) -> {
            SiftCompute compute = SiftCompute.current();
            response.mustIncRef();
            compute.coordinationExecutor().execute(ActionRunnable.wrap(ActionListener.releaseAfter(delegate, response::decRef), l -> {
                window.recordSelection(SiftWindowSelection.select((SearchResponse) response, window, compute));
                l.onResponse(response);
            }));
        });
    }

    /** Every {@code sift} retriever in the tree, nested in other compound retrievers (say {@code rrf}) too. */
    private static void watchOuter(RetrieverBuilder retriever, CancellableTask task, TimeValue timeout) {
        if (retriever instanceof SiftRetrieverBuilder sift) {
            sift.tasks().watchOuter(task, timeout);
        }
        if (retriever instanceof CompoundRetrieverBuilder<?> compound) {
            for (CompoundRetrieverBuilder.RetrieverSource inner : compound.innerRetrievers()) {
                watchOuter(inner.retriever(), task, timeout);
            }
        }
    }
}
