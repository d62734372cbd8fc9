package dev.sift.es.retriever;

import dev.sift.es.SelectionSpec;
import dev.sift.es.compat.HitFields;
import dev.sift.es.vectors.VectorField;
import dev.sift.es.vectors.WindowVectorReader;
import org.apache.lucene.index.LeafReaderContext;
import org.elasticsearch.common.document.DocumentField;
import org.elasticsearch.core.Nullable;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.fetch.FetchContext;
import org.elasticsearch.search.fetch.FetchSubPhase;
import org.elasticsearch.search.fetch.FetchSubPhaseProcessor;
import org.elasticsearch.search.fetch.StoredFieldsSpec;

import java.io.IOException;
import java.util.List;

/**
 * Runs on each shard in the fetch phase of a {@code sift} retriever's inner search (one that carries a
 * {@link SiftWindowExt}), and only then: reads the vector of every window hit on this shard from the index (vector
 * values, or binary doc values for an unindexed field; never {@code _source}, so a field excluded from
 * {@code _source} works) and attaches it to the hit as the field {@link #VECTOR_FIELD}: the values are whether the
 * field uses {@code cosine} (the coordinator must then normalise the query vector as the shard normalised the
 * documents) and, when the hit has one, its {@code float[]} vector, which travels between nodes bit for bit.
 *
 * <p>It is also where the shard checks the request against its mapping: a missing or non-{@code dense_vector}
 * field, or a query vector of the wrong dimension, is an {@link IllegalArgumentException} naming the parameter,
 * which fails this shard's fetch with a 400 (and the coordinator then refuses the incomplete window).
 *
 * <p>The fetch phase hands hits over one segment at a time in doc-id order, which is the order Lucene's
 * forward-only vector iterators need ({@link WindowVectorReader#leafCursor}).
 */
public final class SiftShardVectorFetchSubPhase implements FetchSubPhase {

    /** Not a mapped field: a name private to the retriever's inner search. */
    static final String VECTOR_FIELD = "_sift_vector";

    @Override
    public FetchSubPhaseProcessor getProcessor(FetchContext context) {
        if (context.getSearchExt(SiftWindowExt.NAME) instanceof SiftWindowExt window) {
            SelectionSpec spec = window.spec();
            SearchExecutionContext shard = context.getSearchExecutionContext();
            VectorField field = VectorField.resolve(shard, spec.field(), shard.indexVersionCreated());
            field.targets(spec.queryVectors(), window.vectorParameter()); // only to check them against this shard's mapping
            return new Processor(field);
        }
        return null;
    }

    /** The payload of a hit: whether its field uses cosine, and its vector (null if it has none). */
    record Payload(boolean cosine, @Nullable float[] vector) {}

    /** The payload the sub-phase attached to a hit, or null if it attached none. */
    @Nullable
    static Payload payload(SearchHit hit) {
        DocumentField field = hit.field(VECTOR_FIELD);
        if (field == null || field.getValues().isEmpty() || field.getValues().get(0) instanceof Boolean == false) {
            return null;
        }
        List<Object> values = field.getValues();
        float[] vector = values.size() > 1 && values.get(1) instanceof float[] v ? v : null;
        return new Payload((Boolean) values.get(0), vector);
    }

    private static final class Processor implements FetchSubPhaseProcessor {
        private final VectorField field;
        private WindowVectorReader.LeafCursor cursor;

        Processor(VectorField field) {
            this.field = field;
        }

        @Override
        public void setNextReader(LeafReaderContext readerContext) throws IOException {
            cursor = WindowVectorReader.leafCursor(readerContext.reader(), field);
        }

        @Override
        public void process(HitContext hitContext) throws IOException {
            float[] vector = cursor.next(hitContext.docId());
            List<Object> values = vector == null ? List.of(field.cosine()) : List.of(field.cosine(), vector);
            HitFields.set(hitContext.hit(), new DocumentField(VECTOR_FIELD, values));
        }

        @Override
        public StoredFieldsSpec storedFieldsSpec() {
            return StoredFieldsSpec.NO_REQUIREMENTS;
        }
    }
}
