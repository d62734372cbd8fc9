package dev.sift.es.retriever;

import dev.sift.es.SelectionSpec;
import org.apache.lucene.search.ScoreDoc;
import org.elasticsearch.action.ResolvedIndices;
import org.elasticsearch.cluster.metadata.IndexMetadata;
import org.elasticsearch.index.Index;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.query.AbstractQueryBuilder;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.QueryRewriteContext;
import org.elasticsearch.search.SearchExtBuilder;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.rank.RankDoc;
import org.elasticsearch.search.retriever.CompoundRetrieverBuilder;
import org.elasticsearch.search.retriever.KnnRetrieverBuilder;
import org.elasticsearch.search.retriever.RetrieverBuilder;
import org.elasticsearch.search.retriever.RetrieverParserContext;
import org.elasticsearch.search.vectors.KnnSearchBuilder;
import org.elasticsearch.search.vectors.VectorData;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code sift} retriever: one SIFT selection over the global top {@code rank_window_size} hits of its inner
 * retriever, across all shards and nodes. See docs/retriever.md for the REST contract.
 *
 * <pre>
 * "retriever": { "sift": {
 *   "retriever": { "knn": { "field": "emb", "query_vector": [...], "k": 100, "num_candidates": 200 } },
 *   "field": "emb", "rank_window_size": 100, "lambda": 0.01, "size": 10 } }
 * </pre>
 *
 * <p>Like Elasticsearch's other compound retrievers, it runs its inner retriever as a search of its own while
 * the request is rewritten on the coordinating node: an ordinary query-then-fetch of the global top
 * {@code rank_window_size} hits, whose {@link SiftWindowExt} makes every shard attach the hits' vectors in the fetch
 * phase. The selection is made once over that response ({@link SiftSearchTaskFilter}, {@link SiftWindowSelection});
 * the selected hits become this retriever's {@link SiftRankDoc}s, which the outer search pages through with
 * {@code from}/{@code size}.
 *
 * <p>The target vectors are {@code query_vector} / {@code query_vectors} or, when neither is given, the query
 * vector of the inner {@code knn} retriever.
 */
public final class SiftRetrieverBuilder extends CompoundRetrieverBuilder<SiftRetrieverBuilder> {

    public static final String NAME = "sift";
    public static final ParseField RETRIEVER_FIELD = new ParseField("retriever");
    public static final int DEFAULT_RANK_WINDOW_SIZE = 100;
    /** How errors name the target when it is the inner knn retriever's vector. */
    static final String KNN_VECTOR_PARAMETER = RETRIEVER_FIELD.getPreferredName() + "." + KnnRetrieverBuilder.NAME + "."
        + KnnRetrieverBuilder.QUERY_VECTOR_FIELD.getPreferredName();

    private static final ObjectParser<Parsed, Void> PARSER = new ObjectParser<>(NAME);

    static {
        PARSER.declareField(
            (parser, parsed, unused) -> parsed.inner = parseInnerRetrieverBuilder(parser, parsed.context),
            RETRIEVER_FIELD,
            ObjectParser.ValueType.OBJECT
        );
        SelectionSpec.declareFields(PARSER);
        PARSER.declareInt((parsed, v) -> parsed.rankWindowSize = v, RANK_WINDOW_SIZE_FIELD);
        PARSER.declareField(
            (parser, parsed, unused) -> parsed.filters = parseFilters(parser, parsed.context),
            PRE_FILTER_FIELD,
            ObjectParser.ValueType.OBJECT_ARRAY
        );
        PARSER.declareString((parsed, v) -> parsed.name = v, NAME_FIELD);
    }

    /** Collects the retriever's fields while parsing; holds the parser context the inner retriever needs. */
    private static final class Parsed implements SelectionSpec.HasSpecBuilder {
        final RetrieverParserContext context;
        final SelectionSpec.Builder spec = new SelectionSpec.Builder();
        RetrieverBuilder inner;
        int rankWindowSize = DEFAULT_RANK_WINDOW_SIZE;
        List<QueryBuilder> filters = List.of();
        String name;

        Parsed(RetrieverParserContext context) {
            this.context = context;
        }

        @Override
        public SelectionSpec.Builder specBuilder() {
            return spec;
        }
    }

    private static List<QueryBuilder> parseFilters(XContentParser parser, RetrieverParserContext context) throws IOException {
        List<QueryBuilder> filters = new ArrayList<>();
        if (parser.currentToken() == XContentParser.Token.START_ARRAY) {
            while (parser.nextToken() != XContentParser.Token.END_ARRAY) {
                filters.add(AbstractQueryBuilder.parseTopLevelQuery(parser, context::trackQueryUsage));
            }
        } else {
            filters.add(AbstractQueryBuilder.parseTopLevelQuery(parser, context::trackQueryUsage));
        }
        return filters;
    }

    public static SiftRetrieverBuilder fromXContent(XContentParser parser, RetrieverParserContext context) throws IOException {
        Parsed parsed = PARSER.parse(parser, new Parsed(context), null);
        if (parsed.inner == null) {
            throw new IllegalArgumentException("[" + NAME + "] [" + RETRIEVER_FIELD.getPreferredName() + "] is required");
        }
        SiftRetrieverBuilder retriever = new SiftRetrieverBuilder(parsed.inner, parsed.spec.build(false), parsed.rankWindowSize);
        retriever.retrieverName(parsed.name);
        retriever.preFilterQueryBuilders = new ArrayList<>(parsed.filters);
        return retriever;
    }

    private final SelectionSpec spec;
    private final SelectionTasks tasks;

    /**
     * @param spec the selection; without target vectors, {@code inner} must be a {@code knn} retriever
     * @throws IllegalArgumentException naming the parameter, for a window below 1, a {@code size} above the window,
     *                                  or no target vectors
     */
    public SiftRetrieverBuilder(RetrieverBuilder inner, SelectionSpec spec, int rankWindowSize) {
        this(new ArrayList<>(List.of(RetrieverSource.from(Objects.requireNonNull(inner)))), spec, rankWindowSize, new SelectionTasks());
        if (rankWindowSize < 1) {
            throw new IllegalArgumentException(
                "[" + RANK_WINDOW_SIZE_FIELD.getPreferredName() + "] must be at least 1, got " + rankWindowSize
            );
        }
        if (spec.size() != null && spec.size() > rankWindowSize) {
            throw new IllegalArgumentException(
                "[" + SelectionSpec.SIZE.getPreferredName() + "] must be at most [" + RANK_WINDOW_SIZE_FIELD.getPreferredName()
                    + "] (" + rankWindowSize + "), got " + spec.size()
            );
        }
        if (spec.queryVectors() == null && inner instanceof KnnRetrieverBuilder == false) {
            throw new IllegalArgumentException(
                "one of [" + SelectionSpec.QUERY_VECTOR.getPreferredName() + "] or [" + SelectionSpec.QUERY_VECTORS.getPreferredName()
                    + "] is required unless the inner [" + RETRIEVER_FIELD.getPreferredName() + "] is a [" + KnnRetrieverBuilder.NAME
                    + "] retriever, got [" + inner.getName() + "]"
            );
        }
    }

    /** For {@link #clone}: the checks were made when the retriever was first built; the copies share its tasks. */
    private SiftRetrieverBuilder(List<RetrieverSource> innerRetrievers, SelectionSpec spec, int rankWindowSize, SelectionTasks tasks) {
        super(innerRetrievers, rankWindowSize);
        this.spec = Objects.requireNonNull(spec);
        this.tasks = tasks;
    }

    /** The searches this retriever's selection stops for when they are cancelled (set by {@link SiftSearchTaskFilter}). */
    SelectionTasks tasks() {
        return tasks;
    }

    public SelectionSpec spec() {
        return spec;
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    protected SiftRetrieverBuilder clone(List<RetrieverSource> newChildRetrievers, List<QueryBuilder> newPreFilterQueryBuilders) {
        SiftRetrieverBuilder copy = new SiftRetrieverBuilder(newChildRetrievers, spec, rankWindowSize, tasks);
        copy.retrieverName(retrieverName);
        copy.preFilterQueryBuilders = newPreFilterQueryBuilders;
        return copy;
    }

    /**
     * Refuses a window the inner search could not return: it asks each index for {@code rank_window_size} hits,
     * which {@code index.max_result_window} caps. Said here, naming the parameter, rather than by the inner search.
     */
    @Override
    protected RetrieverBuilder doRewrite(QueryRewriteContext ctx) {
        ResolvedIndices indices = ctx.getResolvedIndices();
        if (indices != null) {
            for (Map.Entry<Index, IndexMetadata> index : indices.getConcreteLocalIndicesMetadata().entrySet()) {
                int limit = IndexSettings.MAX_RESULT_WINDOW_SETTING.get(index.getValue().getSettings());
                if (rankWindowSize > limit) {
                    throw new IllegalArgumentException(
                        "[" + RANK_WINDOW_SIZE_FIELD.getPreferredName() + "] is [" + rankWindowSize + "], above the ["
                            + IndexSettings.MAX_RESULT_WINDOW_SETTING.getKey() + "] of index [" + index.getKey().getName() + "] ("
                            + limit + "): lower [" + RANK_WINDOW_SIZE_FIELD.getPreferredName() + "] or raise that index setting"
                    );
                }
            }
        }
        return super.doRewrite(ctx);
    }

    /**
     * Asks the inner search for the window's vectors; the target vectors are fixed here, once the inner retriever is
     * rewritten.
     */
    @Override
    protected SearchSourceBuilder finalizeSourceBuilder(SearchSourceBuilder source) {
        if (source.size() == 0) {
            // The inner retriever is a compound one that found nothing, so its hits cut the inner search to size 0:
            // nothing to fetch, nothing to select from.
            return source;
        }
        SelectionSpec withTargets = spec;
        String parameter = spec.queryVectorParameter();
        if (spec.queryVectors() == null) {
            withTargets = spec.withQueryVectors(List.of(knnQueryVector(source)));
            parameter = KNN_VECTOR_PARAMETER;
        }
        List<SearchExtBuilder> ext = new ArrayList<>(source.ext());
        ext.add(new SiftWindowExt(withTargets, parameter, tasks));
        return source.ext(ext);
    }

    /** The inner knn retriever's query vector, which it extracted into the inner search (resolved by now). */
    private static float[] knnQueryVector(SearchSourceBuilder source) {
        List<KnnSearchBuilder> knn = source.knnSearch();
        VectorData vector = knn.size() == 1 ? knn.get(0).getQueryVector() : null;
        if (vector == null) {
            throw new IllegalArgumentException(
                "[" + NAME + "] found no query vector in its inner [" + KnnRetrieverBuilder.NAME + "] retriever; give ["
                    + SelectionSpec.QUERY_VECTOR.getPreferredName() + "]"
            );
        }
        return vector.asFloatVector();
    }

    /**
     * The selection made over the inner search's window (the hits in {@code rankResults}, in merged order) becomes the
     * result as it is: the selected hits in the order they are returned, scored, with their picks for {@code explain}.
     */
    @Override
    protected RankDoc[] combineInnerRetrieverResults(List<ScoreDoc[]> rankResults, boolean explain) {
        assert rankResults.size() == 1 : "sift has exactly one inner retriever";
        SiftWindowExt window = innerWindow();
        SiftRankDoc[] selected = window == null ? null : window.selected();
        if (selected == null) {
            if (rankResults.get(0).length == 0) {
                return new RankDoc[0]; // the inner search asked for nothing (an empty inner compound retriever)
            }
            throw new IllegalStateException("[" + NAME + "] no selection was made over the inner search's window");
        }
        return selected;
    }

    /** The {@link SiftWindowExt} of the inner search, null if it has none (it asked for no hits). */
    private SiftWindowExt innerWindow() {
        SearchSourceBuilder source = innerRetrievers.get(0).source();
        if (source != null) {
            for (SearchExtBuilder ext : source.ext()) {
                if (ext instanceof SiftWindowExt window) {
                    return window;
                }
            }
        }
        return null;
    }

    @Override
    protected void doToXContent(XContentBuilder builder, Params params) throws IOException {
        builder.field(RETRIEVER_FIELD.getPreferredName(), innerRetrievers.get(0).retriever());
        spec.toXContentFields(builder);
        builder.field(RANK_WINDOW_SIZE_FIELD.getPreferredName(), rankWindowSize);
    }

    @Override
    public boolean doEquals(Object o) {
        return super.doEquals(o) && spec.equals(((SiftRetrieverBuilder) o).spec);
    }

    @Override
    public int doHashCode() {
        return Objects.hash(super.doHashCode(), spec, rankWindowSize);
    }
}
