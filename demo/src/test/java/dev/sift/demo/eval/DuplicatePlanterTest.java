package dev.sift.demo.eval;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DuplicatePlanterTest {

    private static List<String> units(int n) {
        List<String> units = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            units.add("Paragraph " + i + " explains how the call behaves. It returns zero on success. Errors set errno to a code.");
        }
        return units;
    }

    @Test
    void deterministicForASeed() {
        assertEquals(new DuplicatePlanter(1).plant(units(200)), new DuplicatePlanter(1).plant(units(200)));
        assertNotEquals(new DuplicatePlanter(1).plant(units(200)), new DuplicatePlanter(2).plant(units(200)));
    }

    @Test
    void groupsAndKindsAsDocumented() {
        List<String> units = units(4000);
        List<DuplicatePlanter.Copy> copies = new DuplicatePlanter(3).plant(units);
        Set<Integer> groups = new HashSet<>();
        int exact = 0, near = 0;
        for (DuplicatePlanter.Copy c : copies) {
            groups.add(c.unit());
            assertTrue(c.copy() >= 1 && c.copy() <= DuplicatePlanter.MAX_COPIES);
            switch (c.kind()) {
                case EXACT -> {
                    exact++;
                    assertEquals(units.get(c.unit()), c.text());
                }
                case NEAR -> {
                    near++;
                    assertNotEquals(units.get(c.unit()), c.text());
                }
                case REWRITE -> assertNotEquals(units.get(c.unit()), c.text());
                case ORIGINAL -> throw new AssertionError("a copy is never an original");
            }
        }
        double share = groups.size() / 4000.0;
        assertTrue(Math.abs(share - DuplicatePlanter.DUPLICATED_SHARE) < 0.03, "share of units with copies: " + share);
        double meanGroup = copies.size() / (double) groups.size();
        assertTrue(meanGroup > 1.8 && meanGroup < 2.8, "mean copies per group: " + meanGroup);
        assertTrue(Math.abs(exact / (double) copies.size() - DuplicatePlanter.EXACT_SHARE) < 0.04);
        assertTrue(Math.abs(near / (double) copies.size() - DuplicatePlanter.NEAR_SHARE) < 0.04);
    }

    @Test
    void rewriteShufflesOrCutsSentences() {
        DuplicatePlanter planter = new DuplicatePlanter(5);
        String text = "First sentence here. Second sentence there. Third one last.";
        String rewritten = planter.rewrite(text);
        assertNotEquals(text, rewritten);
        String single = "one long sentence with many words that goes on and on without a full stop until the very end";
        assertTrue(planter.rewrite(single).split(" ").length < single.split(" ").length + 6);
    }
}
