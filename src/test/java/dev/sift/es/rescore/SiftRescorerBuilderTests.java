package dev.sift.es.rescore;

import dev.sift.es.SelectionMethod;
import dev.sift.es.SelectionSpec;
import dev.sift.es.SiftPlugin;
import dev.sift.testing.RandomSpecs;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.search.SearchModule;
import org.elasticsearch.search.rescore.RescorerBuilder;
import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.test.EqualsHashCodeTestUtils;
import org.elasticsearch.xcontent.NamedXContentRegistry;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.json.JsonXContent;

import java.io.IOException;
import java.util.List;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Parsing, XContent and wire round trips, equals/hashCode and every parse-time validation error. */
public class SiftRescorerBuilderTests extends ESTestCase {

    private static final SearchModule MODULE = new SearchModule(Settings.EMPTY, List.of(new SiftPlugin()));

    @Override
    protected NamedXContentRegistry xContentRegistry() {
        return new NamedXContentRegistry(MODULE.getNamedXContents());
    }

    @Override
    protected NamedWriteableRegistry writableRegistry() {
        return new NamedWriteableRegistry(MODULE.getNamedWriteables());
    }

    static SiftRescorerBuilder randomBuilder() {
        SelectionSpec.Builder spec = RandomSpecs.randomSpec(true);
        SiftRescorerBuilder builder = new SiftRescorerBuilder(spec.build(true), randomBoolean());
        if (randomBoolean()) {
            builder.windowSize(between(1, 1000));
        }
        return builder;
    }

    public void testWireRoundTrip() throws IOException {
        for (int i = 0; i < 50; i++) {
            SiftRescorerBuilder original = randomBuilder();
            RescorerBuilder<?> copy = copyNamedWriteable(original, writableRegistry(), rescorerCategory());
            assertEquals(original, copy);
            assertEquals(original.hashCode(), copy.hashCode());
        }
    }

    public void testXContentRoundTrip() throws IOException {
        for (int i = 0; i < 50; i++) {
            SiftRescorerBuilder original = randomBuilder();
            String json = org.elasticsearch.common.Strings.toString(original);
            RescorerBuilder<?> parsed = parse(json);
            if (original.windowSize() == null) {
                // the parser only sets window_size when it is present; compare the rest
                assertNull(parsed.windowSize());
            }
            assertEquals(json, original, parsed);
        }
    }

    public void testEqualsAndHashCode() {
        for (int i = 0; i < 20; i++) {
            EqualsHashCodeTestUtils.checkEqualsAndHashCode(
                randomBuilder(),
                b -> (SiftRescorerBuilder) copyNamedWriteable(b, writableRegistry(), rescorerCategory()),
                b -> new SiftRescorerBuilder(b.spec(), b.keepUnselected() == false)
            );
        }
    }

    public void testDefaults() throws IOException {
        SiftRescorerBuilder b = (SiftRescorerBuilder) parse("{\"sift\":{\"field\":\"emb\",\"query_vector\":[1,2]}}");
        assertThat(b.spec().lambda(), equalTo(0.01));
        assertNull(b.spec().size());
        assertThat(b.spec().method(), equalTo(SelectionMethod.SIFT));
        assertTrue(b.keepUnselected());
        assertNull(b.windowSize());
    }

    public void testBadInputNamesTheParameter() {
        assertBad("{\"sift\":{\"query_vector\":[1]}}", "[field] is required");
        assertBad("{\"sift\":{\"field\":\"emb\"}}", "one of [query_vector] or [query_vectors] is required");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vector\":[1],\"query_vectors\":[[1]]}}", "only one of [query_vector] and [query_vectors]");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vector\":[]}}", "[query_vector] must not be empty");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vectors\":[]}}", "[query_vectors] must hold at least one vector");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vectors\":[[1,2],[1]]}}", "[query_vectors] must all have the same dimension");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vector\":[1,\"NaN\"]}}", "[query_vector] must hold finite numbers");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vector\":[1,\"Infinity\"]}}", "[query_vector] must hold finite numbers");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vector\":[1],\"lambda\":0}}", "[lambda] must be a finite number > 0");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vector\":[1],\"lambda\":-1}}", "[lambda] must be a finite number > 0");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vector\":[1],\"lambda\":\"NaN\"}}", "[lambda] must be a finite number > 0");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vector\":[1],\"size\":0}}", "[size] must be at least 1");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vector\":[1],\"method\":\"best\"}}", "[method] must be one of [sift, nearest, mmr]");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vector\":[1],\"mmr_lambda\":1.5}}", "[mmr_lambda] must be a number in [0, 1]");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vector\":[1],\"alpha\":0}}", "[alpha] must be a finite number > 0");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vector\":[1],\"min_gain\":2}}", "[min_gain] must be a number in [0, 1]");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vector\":[1],\"target_variance\":-0.1}}", "[target_variance] must be a number in [0, 1]");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vector\":[1],\"bogus\":1}}", "unknown field [bogus]");
        assertBad("{\"sift\":{\"field\":\"emb\",\"query_vector\":\"abc\"}}", "query_vector");
    }

    private void assertBad(String json, String message) {
        Exception e = expectThrows(Exception.class, () -> parse(json));
        String all = e.getMessage() + (e.getCause() == null ? "" : " / " + e.getCause().getMessage());
        assertThat(json, all, containsString(message));
    }

    private RescorerBuilder<?> parse(String json) throws IOException {
        try (XContentParser parser = JsonXContent.jsonXContent.createParser(parserConfig(), json)) {
            return RescorerBuilder.parseFromXContent(parser, name -> {});
        }
    }

    @SuppressWarnings("unchecked")
    private static Class<RescorerBuilder<?>> rescorerCategory() {
        return (Class<RescorerBuilder<?>>) (Class<?>) RescorerBuilder.class;
    }
}
