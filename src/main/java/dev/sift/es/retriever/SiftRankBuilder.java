package dev.sift.es.retriever;

import dev.sift.es.SelectionSpec;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.Query;
import org.elasticsearch.TransportVersion;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.search.rank.RankBuilder;
import org.elasticsearch.search.rank.RankDoc;
import org.elasticsearch.search.rank.context.QueryPhaseRankCoordinatorContext;
import org.elasticsearch.search.rank.context.QueryPhaseRankShardContext;
import org.elasticsearch.search.rank.context.RankFeaturePhaseRankCoordinatorContext;
import org.elasticsearch.search.rank.context.RankFeaturePhaseRankShardContext;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * The {@code rank} section the {@code sift} retriever puts on its inner search; not parsed from requests (the
 * retriever is the API). It turns that search into one global selection:
 *
 * <ol>
 *   <li>query phase, shards: the inner retriever's own search, top {@code rank_window_size} hits per shard;</li>
 *   <li>query phase, coordinator: {@link SiftQueryPhaseCoordinatorContext} merges them into the global window;</li>
 *   <li>rank-feature phase, shards: {@link SiftShardVectorFetchSubPhase} and {@link SiftRankShardContext} read
 *       the window hits' vectors from the index and send them back;</li>
 *   <li>rank-feature phase, coordinator: {@link SiftRankCoordinatorContext} selects once over the whole window;</li>
 *   <li>fetch phase: only the selected hits, in selection order.</li>
 * </ol>
 *
 * <p>Serialised to the shards with the spec, whose targets are already set (from {@code query_vector(s)} or the
 * inner knn retriever). The {@link SiftCoordinatorLedger} is not serialised: see its comment.
 */
public final class SiftRankBuilder extends RankBuilder {

    public static final String NAME = SiftRetrieverBuilder.NAME;
    private static final ParseField VECTOR_PARAMETER = new ParseField("vector_parameter");
    /**
     * 8.16.0, the first with the rank-feature phase and retrievers' rank docs as this plugin uses them; by id, since
     * Elasticsearch 9 dropped the {@code TransportVersions} constants.
     */
    static final TransportVersion MINIMUM_TRANSPORT_VERSION = TransportVersion.fromId(8_772_0_01);

    private final SelectionSpec spec;
    /** Where the targets came from, named in errors: {@code query_vector}, {@code query_vectors} or the knn's vector. */
    private final String vectorParameter;
    private final SiftCoordinatorLedger ledger = new SiftCoordinatorLedger();
    /** Never serialised: a copy read from the wire (a shard's) runs no selection and watches no task. */
    private final SelectionTasks tasks;

    /**
     * @param spec            the selection, with its target vectors set
     * @param vectorParameter the request parameter the targets came from, for error messages
     */
    public SiftRankBuilder(SelectionSpec spec, String vectorParameter, int rankWindowSize) {
        this(spec, vectorParameter, rankWindowSize, new SelectionTasks());
    }

    /** @param tasks the searches the selection stops for, shared with the retriever that made this builder */
    SiftRankBuilder(SelectionSpec spec, String vectorParameter, int rankWindowSize, SelectionTasks tasks) {
        super(rankWindowSize);
        this.spec = Objects.requireNonNull(spec);
        this.vectorParameter = Objects.requireNonNull(vectorParameter);
        this.tasks = Objects.requireNonNull(tasks);
        if (spec.queryVectors() == null) {
            throw new IllegalArgumentException("the [" + NAME + "] rank needs its target vectors set");
        }
    }

    public SiftRankBuilder(StreamInput in) throws IOException {
        super(in);
        this.spec = new SelectionSpec(in);
        this.vectorParameter = in.readString();
        this.tasks = new SelectionTasks();
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        spec.writeTo(out);
        out.writeString(vectorParameter);
    }

    @Override
    public String getWriteableName() {
        return NAME;
    }

    @Override
    public TransportVersion getMinimalSupportedVersion() {
        return SiftRankBuilder.MINIMUM_TRANSPORT_VERSION;
    }

    @Override
    protected void doXContent(XContentBuilder builder, Params params) throws IOException {
        spec.toXContentFields(builder);
        builder.field(VECTOR_PARAMETER.getPreferredName(), vectorParameter);
    }

    SelectionSpec spec() {
        return spec;
    }

    String vectorParameter() {
        return vectorParameter;
    }

    SelectionTasks tasks() {
        return tasks;
    }

    SiftCoordinatorLedger ledger() {
        return ledger;
    }

    @Override
    public boolean isCompoundBuilder() {
        return false;
    }

    /** The inner search is not explained; the retriever's {@link SiftRankDoc} explains the selection. */
    @Override
    public Explanation explainHit(Explanation baseExplanation, RankDoc scoreDoc, List<String> queryNames) {
        return baseExplanation;
    }

    /** None: each shard runs the inner retriever's own query (Elasticsearch sizes it to the window). */
    @Override
    public QueryPhaseRankShardContext buildQueryPhaseShardContext(List<Query> queries, int from) {
        return null;
    }

    @Override
    public QueryPhaseRankCoordinatorContext buildQueryPhaseCoordinatorContext(int size, int from) {
        return new SiftQueryPhaseCoordinatorContext(rankWindowSize(), ledger);
    }

    @Override
    public RankFeaturePhaseRankShardContext buildRankFeaturePhaseShardContext() {
        return new SiftRankShardContext();
    }

    @Override
    public RankFeaturePhaseRankCoordinatorContext buildRankFeaturePhaseCoordinatorContext(int size, int from, Client client) {
        return new SiftRankCoordinatorContext(size, from, rankWindowSize(), spec, vectorParameter, ledger, tasks);
    }

    @Override
    protected boolean doEquals(RankBuilder other) {
        SiftRankBuilder that = (SiftRankBuilder) other;
        return spec.equals(that.spec) && vectorParameter.equals(that.vectorParameter);
    }

    @Override
    protected int doHashCode() {
        return Objects.hash(spec, vectorParameter);
    }
}
