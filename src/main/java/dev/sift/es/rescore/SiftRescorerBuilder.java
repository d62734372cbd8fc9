package dev.sift.es.rescore;

import dev.sift.es.SelectionSpec;
import dev.sift.es.compute.SiftCompute;
import dev.sift.es.vectors.VectorField;
import org.elasticsearch.TransportVersion;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.index.query.QueryRewriteContext;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.search.rescore.RescoreContext;
import org.elasticsearch.search.rescore.RescorerBuilder;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;
import java.util.Objects;

/**
 * The {@code sift} rescore clause: re-ranks each shard's top {@code window_size} hits with SIFT (or a baseline),
 * selected hits first in selection order. See README.md for the REST contract.
 *
 * <pre>
 * "rescore": { "window_size": 100,
 *   "sift": { "field": "emb", "query_vector": [...], "lambda": 0.01, "size": 10, "keep_unselected": true } }
 * </pre>
 */
public final class SiftRescorerBuilder extends RescorerBuilder<SiftRescorerBuilder> {

    public static final String NAME = "sift";
    public static final ParseField KEEP_UNSELECTED = new ParseField("keep_unselected");

    private static final ObjectParser<Parsed, Void> PARSER = new ObjectParser<>(NAME, Parsed::new);

    static {
        SelectionSpec.declareFields(PARSER);
        PARSER.declareBoolean((p, v) -> p.keepUnselected = v, KEEP_UNSELECTED);
    }

    /** Collects the clause's fields while parsing. */
    private static final class Parsed implements SelectionSpec.HasSpecBuilder {
        final SelectionSpec.Builder spec = new SelectionSpec.Builder();
        boolean keepUnselected = true;

        @Override
        public SelectionSpec.Builder specBuilder() {
            return spec;
        }
    }

    private final SelectionSpec spec;
    private final boolean keepUnselected;

    public SiftRescorerBuilder(SelectionSpec spec, boolean keepUnselected) {
        this.spec = Objects.requireNonNull(spec);
        this.keepUnselected = keepUnselected;
    }

    public SiftRescorerBuilder(StreamInput in) throws IOException {
        super(in);
        this.spec = new SelectionSpec(in);
        this.keepUnselected = in.readBoolean();
    }

    public static SiftRescorerBuilder fromXContent(XContentParser parser) throws IOException {
        Parsed parsed = PARSER.parse(parser, null);
        return new SiftRescorerBuilder(parsed.spec.build(true), parsed.keepUnselected);
    }

    /**
     * A window of at least one hit: Elasticsearch's own rescorers accept any number here, and fail inside the
     * query phase on a negative one.
     */
    @Override
    public SiftRescorerBuilder windowSize(int windowSize) {
        if (windowSize < 1) {
            throw new IllegalArgumentException("[window_size] of a [" + NAME + "] rescore must be at least 1, got " + windowSize);
        }
        return super.windowSize(windowSize);
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        spec.writeTo(out);
        out.writeBoolean(keepUnselected);
    }

    @Override
    public String getWriteableName() {
        return NAME;
    }

    @Override
    public TransportVersion getMinimalSupportedVersion() {
        return TransportVersion.zero();
    }

    @Override
    protected void doXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject(NAME);
        spec.toXContentFields(builder);
        builder.field(KEEP_UNSELECTED.getPreferredName(), keepUnselected);
        builder.endObject();
    }

    @Override
    public RescorerBuilder<SiftRescorerBuilder> rewrite(QueryRewriteContext ctx) {
        return this;
    }

    @Override
    protected RescoreContext innerBuildContext(int windowSize, SearchExecutionContext context) {
        VectorField field = VectorField.resolve(context, spec.field(), context.indexVersionCreated());
        float[] targets = field.targets(spec.queryVectors(), spec.queryVectorParameter());
        return new SiftRescoreContext(
            windowSize,
            spec,
            keepUnselected,
            field,
            targets,
            SiftCompute.current() // no injection into rescorer builders: see SiftCompute for why a holder
        );
    }

    public SelectionSpec spec() {
        return spec;
    }

    public boolean keepUnselected() {
        return keepUnselected;
    }

    @Override
    public boolean equals(Object obj) {
        if (super.equals(obj) == false) {
            return false;
        }
        SiftRescorerBuilder other = (SiftRescorerBuilder) obj;
        return keepUnselected == other.keepUnselected && spec.equals(other.spec);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), spec, keepUnselected);
    }
}
