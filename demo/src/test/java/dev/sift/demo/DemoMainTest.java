package dev.sift.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoMainTest {

    @Test
    void corpusLines() {
        List<String[]> rows = DemoMain.parseCorpus(List.of("# comment", "", "age\tMichael Jordan is 61 years old.", "Just a sentence."));
        assertEquals(2, rows.size());
        assertArrayEquals(new String[] { "age", "Michael Jordan is 61 years old." }, rows.get(0));
        assertArrayEquals(new String[] { "", "Just a sentence." }, rows.get(1));
        assertThrows(IllegalArgumentException.class, () -> DemoMain.parseCorpus(List.of("# only a comment")));
    }

    @Test
    void bundledCorpusHoldsTheSeedExample() throws Exception {
        List<String[]> rows = DemoMain.readCorpus(DemoMain.class.getResourceAsStream("/dev/sift/demo/corpus.tsv"));
        List<String> texts = rows.stream().map(r -> r[1]).toList();
        assertTrue(texts.contains("The age of Michael Jordan is 61 years."));
        assertTrue(texts.contains("Michael Jordan was born on February 17, 1963."));
        assertTrue(texts.contains("Michael Jordan has five children."));
    }

    @Test
    void wrapsAtWordBoundaries() {
        assertEquals(List.of("aaa bbb", "ccc"), DemoMain.wrap("aaa bbb ccc", 7));
        assertEquals(List.of("averyveryverylongword"), DemoMain.wrap("averyveryverylongword", 5));
    }

    @Test
    void abbreviatesVectors() {
        ObjectNode body = EsClient.JSON.createObjectNode();
        body.set("query_vector", EsClient.vector(new float[384]));
        body.put("k", 3);
        assertEquals("{\"query_vector\":[384 numbers],\"k\":3}", DemoMain.abbreviated(body));
    }
}
