package dev.sift.es.retriever;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionRequest;
import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.support.ActionFilter;
import org.elasticsearch.action.support.ActionFilterChain;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.retriever.CompoundRetrieverBuilder;
import org.elasticsearch.search.retriever.RetrieverBuilder;
import org.elasticsearch.tasks.CancellableTask;
import org.elasticsearch.tasks.Task;

/**
 * Hands the tasks of searches that involve a {@code sift} retriever to its {@link SelectionTasks}: the outer search
 * whose source holds the retriever (at the top or nested in other compound retrievers), and the inner search whose
 * source holds the {@link SiftRankBuilder} it made.
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
        if (request instanceof SearchRequest search && task instanceof CancellableTask cancellable && search.source() != null) {
            SearchSourceBuilder source = search.source();
            if (source.retriever() != null) {
                watchOuter(source.retriever(), cancellable, source.timeout());
            }
            if (source.rankBuilder() instanceof SiftRankBuilder rank) {
                rank.tasks().watchInner(cancellable);
            }
        }
        chain.proceed(task, action, request, listener);
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
