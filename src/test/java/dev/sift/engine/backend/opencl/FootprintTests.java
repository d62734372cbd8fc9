package dev.sift.engine.backend.opencl;

import dev.sift.engine.Cancellation;
import dev.sift.engine.SelectionProblem;
import dev.sift.engine.SiftOptions;
import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** The device memory a batch needs: per buffer kind, summed over its selections, against the budget and the largest allocation. */
public class FootprintTests {

    private static OpenClBatch.Footprint of(int candidates, int dims, int targets, int picks) {
        SelectionProblem problem = new SelectionProblem(new float[candidates * dims], new float[targets * dims], dims);
        return new OpenClBatch.Job(problem, SiftOptions.builder(picks).build(), Cancellation.NONE).footprint();
    }

    @Test
    public void testOneSelection() {
        OpenClBatch.Footprint f = of(1000, 100, 2, 11);
        assertEquals(1000L * 100 * 4, f.vectors());
        assertEquals(1000L * 2 * 8, f.cross());
        assertEquals(1000L * 10 * 8, f.columns()); // the last pick needs no column
        assertEquals(1000L * 8, f.candidates());
        assertEquals(2 * f.vectors() + f.cross() + f.columns() + 3 * f.candidates() + 2 * 100 * 4 + 4096, f.total());
    }

    @Test
    public void testABatchSumsEachBufferAndFitsBothLimits() {
        OpenClBatch.Footprint one = of(1000, 100, 1, 11);
        OpenClBatch.Footprint two = one.plus(one);
        assertEquals(2 * one.vectors(), two.vectors());
        assertEquals(2 * one.total(), two.total());
        assertTrue(two.fits(two.total(), two.vectors()));
        assertFalse("over the budget", two.fits(two.total() - 1, two.vectors()));
        assertFalse("one buffer over the largest allocation", two.fits(two.total(), two.vectors() - 1));
    }
}
