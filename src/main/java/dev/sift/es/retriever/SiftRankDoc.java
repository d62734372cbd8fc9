package dev.sift.es.retriever;

import dev.sift.es.ResultOrder;
import org.apache.lucene.search.Explanation;
import org.elasticsearch.TransportVersion;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.search.rank.RankDoc;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.Objects;

/**
 * One hit of the {@code sift} retriever's result, as the outer search sends it to the shards to fetch and
 * explain: where it was picked ({@code step} of {@code count}), the variance it removed ({@code gain}), the
 * posterior variance after it and the prior variance. {@code count} is 0 when those figures are not known; the
 * hit is then explained by its rank and score only.
 */
public final class SiftRankDoc extends RankDoc {

    public static final String NAME = "sift_rank_doc";

    /**
     * 8.16.0, the first with retrievers' rank docs as this plugin uses them; by id, since Elasticsearch 9 dropped the
     * {@code TransportVersions} constants.
     */
    private static final TransportVersion MINIMUM_TRANSPORT_VERSION = TransportVersion.fromId(8_772_0_01);

    /** Where one hit was picked: 0-based {@code step} of {@code count} picks, with the engine's figures. */
    record Pick(int step, int count, double gain, double variance, double priorVariance) {}

    private final String method;
    private final ResultOrder order;
    private final int step;
    private final int count;
    private final double gain;
    private final double variance;
    private final double priorVariance;

    SiftRankDoc(int doc, float score, int shardIndex, String method, ResultOrder order, Pick pick) {
        super(doc, score, shardIndex);
        this.method = method;
        this.order = order;
        this.step = pick == null ? -1 : pick.step();
        this.count = pick == null ? 0 : pick.count();
        this.gain = pick == null ? Double.NaN : pick.gain();
        this.variance = pick == null ? Double.NaN : pick.variance();
        this.priorVariance = pick == null ? Double.NaN : pick.priorVariance();
    }

    public SiftRankDoc(StreamInput in) throws IOException {
        super(in);
        this.method = in.readString();
        this.order = in.readEnum(ResultOrder.class);
        this.step = in.readInt();
        this.count = in.readVInt();
        this.gain = in.readDouble();
        this.variance = in.readDouble();
        this.priorVariance = in.readDouble();
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        out.writeString(method);
        out.writeEnum(order);
        out.writeInt(step);
        out.writeVInt(count);
        out.writeDouble(gain);
        out.writeDouble(variance);
        out.writeDouble(priorVariance);
    }

    @Override
    public String getWriteableName() {
        return NAME;
    }

    @Override
    public TransportVersion getMinimalSupportedVersion() {
        return MINIMUM_TRANSPORT_VERSION;
    }

    /** Whether the pick's figures are known. */
    boolean hasPick() {
        return count > 0;
    }

    @Override
    public Explanation explain(Explanation[] sourceExplanations, String[] queryNames) {
        Explanation[] details = new Explanation[(hasPick() ? 3 : 0) + sourceExplanations.length];
        int d = 0;
        if (hasPick()) {
            details[d++] = Explanation.match((float) gain, "gain: posterior variance removed by this pick");
            details[d++] = Explanation.match((float) variance, "posterior variance after this pick, V(S_" + (step + 1) + ")");
            details[d++] = Explanation.match((float) priorVariance, "prior variance V([])");
        }
        for (int i = 0; i < sourceExplanations.length; i++) {
            Explanation source = sourceExplanations[i];
            String name = queryNames != null && i < queryNames.length && queryNames[i] != null ? " [" + queryNames[i] + "]" : "";
            details[d++] = Explanation.match(
                source.getValue(),
                "inner retriever" + name + ", which put the hit in the global window: " + source.getDescription(),
                source.getDetails()
            );
        }
        String description;
        if (hasPick() == false) {
            description = method + " pick at rank " + rank + " over the global window (the pick's figures were not recorded)";
        } else if (order == ResultOrder.RELEVANCE) {
            description = method + " pick " + (step + 1) + " of " + count + " over the global window, listed " + rank
                + " in relevance order: score = selected hits listed from here on + gain / (2 * prior variance)";
        } else {
            description = method + " pick " + (step + 1) + " of " + count
                + " over the global window: score = picks left + gain / (2 * prior variance)";
        }
        return Explanation.match(score, description, details);
    }

    @Override
    protected void doToXContent(XContentBuilder builder, Params params) throws IOException {
        builder.field("method", method);
        builder.field("order", order.parseName());
        if (hasPick()) {
            builder.field("step", step + 1);
            builder.field("selected", count);
            builder.field("gain", gain);
            builder.field("variance", variance);
            builder.field("prior_variance", priorVariance);
        }
    }

    @Override
    protected boolean doEquals(RankDoc rd) {
        SiftRankDoc other = (SiftRankDoc) rd;
        return method.equals(other.method)
            && order == other.order
            && step == other.step
            && count == other.count
            && Double.compare(gain, other.gain) == 0
            && Double.compare(variance, other.variance) == 0
            && Double.compare(priorVariance, other.priorVariance) == 0;
    }

    @Override
    protected int doHashCode() {
        return Objects.hash(method, order, step, count, gain, variance, priorVariance);
    }

    @Override
    public String toString() {
        return "SiftRankDoc{_rank=" + rank + ", _doc=" + doc + ", _shard=" + shardIndex + ", _score=" + score + ", method=" + method
            + (hasPick() ? ", step=" + (step + 1) + "/" + count + ", gain=" + gain : "") + "}";
    }
}
