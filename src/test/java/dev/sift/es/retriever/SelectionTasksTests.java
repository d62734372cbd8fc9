package dev.sift.es.retriever;

import dev.sift.es.SelectionSpec;
import org.elasticsearch.ElasticsearchStatusException;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.retriever.KnnRetrieverBuilder;
import org.elasticsearch.tasks.CancellableTask;
import org.elasticsearch.tasks.TaskCancelHelper;
import org.elasticsearch.tasks.TaskCancelledException;
import org.elasticsearch.tasks.TaskId;
import org.elasticsearch.test.ESTestCase;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The retriever's cancellation: what {@link SelectionTasks} checks and how {@link SiftSearchTaskFilter} fills it. */
public class SelectionTasksTests extends ESTestCase {

    private static CancellableTask task(long id) {
        return new CancellableTask(id, "transport", "indices:data/read/search", "", TaskId.EMPTY_TASK_ID, Map.of());
    }

    public void testOuterCancellationStopsTheSelection() {
        SelectionTasks tasks = new SelectionTasks();
        CancellableTask outer = task(1);
        tasks.watchOuter(outer, null);
        tasks.watchInner(task(2));
        tasks.check();
        TaskCancelHelper.cancel(outer, "by the user");
        TaskCancelledException e = expectThrows(TaskCancelledException.class, tasks::check);
        assertThat(e.getMessage(), containsString("by the user"));
    }

    public void testInnerCancellationStopsTheSelection() {
        SelectionTasks tasks = new SelectionTasks();
        CancellableTask inner = task(2);
        tasks.watchOuter(task(1), TimeValue.timeValueHours(1));
        tasks.watchInner(inner);
        tasks.check();
        TaskCancelHelper.cancel(inner, "parent gone");
        expectThrows(TaskCancelledException.class, tasks::check);
    }

    public void testOuterTimeoutStopsTheSelectionWith504() {
        SelectionTasks tasks = new SelectionTasks();
        tasks.watchOuter(task(1), TimeValue.ZERO);
        ElasticsearchStatusException e = expectThrows(ElasticsearchStatusException.class, tasks::check);
        assertThat(e.status(), equalTo(RestStatus.GATEWAY_TIMEOUT));
        assertThat(e.getMessage(), containsString("[timeout] of [0s]"));
    }

    public void testNoTimeoutOrMinusOneNeverExpires() {
        SelectionTasks none = new SelectionTasks();
        none.watchOuter(task(1), null);
        none.check();
        SelectionTasks minusOne = new SelectionTasks();
        minusOne.watchOuter(task(1), TimeValue.MINUS_ONE);
        minusOne.check();
    }

    public void testFilterRecordsTheOuterAndInnerSearchTasks() {
        SelectionSpec spec = new SelectionSpec.Builder().field("emb").queryVector(List.of(1f, 0f)).size(2).build(true);
        SiftRetrieverBuilder retriever = new SiftRetrieverBuilder(
            new KnnRetrieverBuilder("emb", new float[] { 1, 0 }, null, 5, 5, null, null),
            spec,
            5
        );
        SiftWindowExt window = new SiftWindowExt(spec, "query_vector", retriever.tasks());
        SiftSearchTaskFilter filter = new SiftSearchTaskFilter();
        AtomicInteger proceeded = new AtomicInteger();

        CancellableTask outer = task(1);
        SearchRequest outerRequest = new SearchRequest("idx").source(new SearchSourceBuilder().retriever(retriever).timeout(TimeValue.timeValueHours(1)));
        filter.<SearchRequest, SearchResponse>apply(outer, "indices:data/read/search", outerRequest, ActionListener.noop(), (t, a, r, l) -> proceeded.incrementAndGet());
        CancellableTask inner = task(2);
        SearchRequest innerRequest = new SearchRequest("idx").source(new SearchSourceBuilder().ext(List.of(window)));
        filter.<SearchRequest, SearchResponse>apply(inner, "indices:data/read/search", innerRequest, ActionListener.noop(), (t, a, r, l) -> proceeded.incrementAndGet());
        assertThat("every request goes on", proceeded.get(), equalTo(2));

        retriever.tasks().check();
        TaskCancelHelper.cancel(inner, "inner");
        expectThrows(TaskCancelledException.class, retriever.tasks()::check);

        SiftRetrieverBuilder other = new SiftRetrieverBuilder(new KnnRetrieverBuilder("emb", new float[] { 1, 0 }, null, 5, 5, null, null), spec, 5);
        CancellableTask outerOther = task(3);
        filter.<SearchRequest, SearchResponse>apply(
            outerOther,
            "indices:data/read/search",
            new SearchRequest("idx").source(new SearchSourceBuilder().retriever(other)),
            ActionListener.noop(),
            (t, a, r, l) -> proceeded.incrementAndGet()
        );
        TaskCancelHelper.cancel(outerOther, "outer");
        expectThrows(TaskCancelledException.class, other.tasks()::check);
    }

    public void testFilterFindsSiftRetrieversNestedInCompoundRetrievers() {
        SelectionSpec spec = new SelectionSpec.Builder().field("emb").queryVector(List.of(1f, 0f)).size(2).build(true);
        SiftRetrieverBuilder nested = new SiftRetrieverBuilder(new KnnRetrieverBuilder("emb", new float[] { 1, 0 }, null, 5, 5, null, null), spec, 5);
        SiftRetrieverBuilder top = new SiftRetrieverBuilder(nested, spec, 5);
        CancellableTask outer = task(1);
        new SiftSearchTaskFilter().<SearchRequest, SearchResponse>apply(
            outer,
            "indices:data/read/search",
            new SearchRequest("idx").source(new SearchSourceBuilder().retriever(top)),
            ActionListener.noop(),
            (t, a, r, l) -> {}
        );
        nested.tasks().check();
        TaskCancelHelper.cancel(outer, "outer");
        expectThrows(TaskCancelledException.class, nested.tasks()::check);
        expectThrows(TaskCancelledException.class, top.tasks()::check);
    }
}
