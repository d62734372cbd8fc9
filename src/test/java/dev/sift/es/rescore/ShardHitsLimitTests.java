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
        return new SiftRescoreContext(100, spec, true, null, new float[] { 1, 0 }, null, null);
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

    public void testTheLastSiftRescoreReturnsFromPlusSizeHits() {
        SiftRescoreContext sift = sift();
        new ShardHitsLimit().onPreQueryPhase(search(3, 7, List.of(sift), null));
        assertThat(sift.hitsLimit(), equalTo(10));
    }

    public void testASiftRescoreFollowedByAnotherKeepsItsWindow() {
        SiftRescoreContext sift = sift();
        RescoreContext next = new RescoreContext(50, SiftRescorer.INSTANCE);
        new ShardHitsLimit().onPreQueryPhase(search(0, 10, List.of(sift, next), null));
        assertThat("the next rescorer needs the whole window", sift.hitsLimit(), equalTo(Integer.MAX_VALUE));
    }

    public void testScrollsAndEmptyPagesAreLeftAlone() {
        SiftRescoreContext scrolled = sift();
        new ShardHitsLimit().onPreQueryPhase(search(0, 10, List.of(scrolled), new ScrollContext()));
        assertThat(scrolled.hitsLimit(), equalTo(Integer.MAX_VALUE));
        SiftRescoreContext noHits = sift();
        new ShardHitsLimit().onPreQueryPhase(search(0, 0, List.of(noHits), null));
        assertThat(noHits.hitsLimit(), equalTo(Integer.MAX_VALUE));
    }

    public void testSearchesWithoutRescoreAreUntouched() {
        new ShardHitsLimit().onPreQueryPhase(search(0, 10, List.of(), null));
    }
}
