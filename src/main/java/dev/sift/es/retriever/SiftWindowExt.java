package dev.sift.es.retriever;

import dev.sift.es.SelectionSpec;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.core.Nullable;
import org.elasticsearch.search.SearchExtBuilder;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;
import java.util.Objects;

/**
 * The marker the {@code sift} retriever puts in the {@code ext} section of its inner search: it asks every shard
 * to attach each window hit's vector to the hit in the fetch phase ({@link SiftShardVectorFetchSubPhase}), and it
 * carries, on the coordinating node only, the selection made over those hits ({@link SiftSearchTaskFilter}) until
 * the retriever turns it into its result.
 *
 * <p>So the inner search is one ordinary query-then-fetch of the window, the same phases a plain search has: the
 * window's order is the search's own merged order, and the vectors come back with the hits. Shards receive the
 * spec (with its target vectors set) to check the request against their mapping; the selection and the tasks are
 * never serialised. It is not part of the REST API: a request that names it is refused.
 */
public final class SiftWindowExt extends SearchExtBuilder {

    public static final String NAME = "_sift_window";

    private final SelectionSpec spec;
    /** Where the targets came from, named in errors: {@code query_vector}, {@code query_vectors} or the knn's vector. */
    private final String vectorParameter;
    /**
     * Coordinating node only: the selected hits in the order they are returned, once made (never in a copy read from
     * the wire). Written by the filter on one thread and read by the retriever on another, hence volatile.
     */
    @Nullable
    private volatile SiftRankDoc[] selected;
    /** Coordinating node only: the searches the selection stops for (empty in a copy read from the wire). */
    private final SelectionTasks tasks;

    SiftWindowExt(SelectionSpec spec, String vectorParameter, SelectionTasks tasks) {
        this.spec = Objects.requireNonNull(spec);
        this.vectorParameter = Objects.requireNonNull(vectorParameter);
        this.tasks = Objects.requireNonNull(tasks);
        if (spec.queryVectors() == null) {
            throw new IllegalArgumentException("the [" + NAME + "] section needs its target vectors set");
        }
    }

    public SiftWindowExt(StreamInput in) throws IOException {
        this.spec = new SelectionSpec(in);
        this.vectorParameter = in.readString();
        this.tasks = new SelectionTasks();
    }

    /** Refuses the section in requests: only the retriever makes it. */
    public static SiftWindowExt fromXContent(XContentParser parser) {
        throw new IllegalArgumentException("[" + NAME + "] is internal to the [sift] retriever and cannot be sent in a request");
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        spec.writeTo(out);
        out.writeString(vectorParameter);
    }

    @Override
    public String getWriteableName() {
        return NAME;
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject(NAME);
        spec.toXContentFields(builder);
        builder.field("vector_parameter", vectorParameter);
        return builder.endObject();
    }

    SelectionSpec spec() {
        return spec;
    }

    String vectorParameter() {
        return vectorParameter;
    }

    void recordSelection(SiftRankDoc[] selection) {
        this.selected = selection;
    }

    /** The selected hits in the order they are returned, or null if no selection was made here. */
    @Nullable
    SiftRankDoc[] selected() {
        return selected;
    }

    SelectionTasks tasks() {
        return tasks;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SiftWindowExt other && spec.equals(other.spec) && vectorParameter.equals(other.vectorParameter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(spec, vectorParameter);
    }
}
