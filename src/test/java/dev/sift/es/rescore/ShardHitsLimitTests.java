package dev.sift.es.rescore;

import dev.sift.es.SelectionSpec;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.search.internal.ScrollContext;
import org.elasticsearch.search.rescore.RescoreContext;
import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.test.TestSearchContext;

import java.util.List;

import static org.hamcrest.Matchers.equalTo;

/** When a {@code sift} rescore learns how many hits its shard's search can use, and when it is left alone. */
public class ShardHitsLimitTests extends ESTestCase {

    private static SiftRescoreContext sift() {
        SelectionSpec spec = new SelectionSpec.Builder().field("emb").queryVector(List.of(1f, 0f)).size(5).build(true);
        return new SiftRescoreContext(100, spec, true, null, new float[] { 1, 0 }, null);
    }

    private static TestSearchContext search(int from, int size, List<RescoreContext> rescores, ScrollContext scroll) {
        TestSearchContext context = new TestSearchContext((SearchExecutionContext) null, null, null, scroll) {
            @Override
            public List<RescoreContext> rescore() {
                return rescores;
            }
        };
        context.from(from);
        context.setSize(size);
        return context;
    }

    /** Runs the listener on a search context, then releases the context (search contexts are tracked for leaks). */
    private static void preQueryPhase(int from, int size, List<RescoreContext> rescores, ScrollContext scroll) {
        try (TestSearchContext context = search(from, size, rescores, scroll)) {
            new ShardHitsLimit().onPreQueryPhase(context);
        }
    }

    public void testTheLastSiftRescoreReturnsFromPlusSizeHits() {
        SiftRescoreContext sift = sift();
        preQueryPhase(3, 7, List.of(sift), null);
        assertThat(sift.hitsLimit(), equalTo(10));
    }

    public void testASiftRescoreFollowedByAnotherKeepsItsWindow() {
        SiftRescoreContext sift = sift();
        RescoreContext next = new RescoreContext(50, SiftRescorer.INSTANCE);
        preQueryPhase(0, 10, List.of(sift, next), null);
        assertThat("the next rescorer needs the whole window", sift.hitsLimit(), equalTo(Integer.MAX_VALUE));
    }

    public void testScrollsAndEmptyPagesAreLeftAlone() {
        SiftRescoreContext scrolled = sift();
        preQueryPhase(0, 10, List.of(scrolled), new ScrollContext());
        assertThat(scrolled.hitsLimit(), equalTo(Integer.MAX_VALUE));
        SiftRescoreContext noHits = sift();
        preQueryPhase(0, 0, List.of(noHits), null);
        assertThat(noHits.hitsLimit(), equalTo(Integer.MAX_VALUE));
    }

    /** Only a {@code sift} rescore is limited: another rescorer keeps its window, whatever the page. */
    public void testOtherRescorersAreUntouched() {
        RescoreContext other = new RescoreContext(50, SiftRescorer.INSTANCE);
        preQueryPhase(0, 10, List.of(other), null);
        assertThat(other.getWindowSize(), equalTo(50));
    }
}
