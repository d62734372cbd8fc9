package dev.sift.es.retriever;

import dev.sift.es.SelectionSpec;
import dev.sift.es.compat.HitFields;
import dev.sift.es.vectors.VectorField;
import dev.sift.es.vectors.WindowVectorReader;
import org.apache.lucene.index.LeafReaderContext;
import org.elasticsearch.common.document.DocumentField;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.search.fetch.FetchContext;
import org.elasticsearch.search.fetch.FetchSubPhase;
import org.elasticsearch.search.fetch.FetchSubPhaseProcessor;
import org.elasticsearch.search.fetch.StoredFieldsSpec;

import java.io.IOException;
import java.util.List;

/**
 * Runs on each shard during the rank-feature phase of a {@code sift} retriever's inner search, and only then:
 * reads the vector of every window hit on this shard from the index (vector values, or binary doc values for an
 * unindexed field; never {@code _source}, so a field excluded from {@code _source} works) and leaves it, encoded
 * as {@link SiftFeatureData}, on the hit for {@link SiftRankShardContext}.
 *
 * <p>It is also where the shard checks the request against its mapping: a missing or non-{@code dense_vector}
 * field, or a query vector of the wrong dimension, is an {@link IllegalArgumentException} naming the parameter,
 * which fails this shard's rank-feature request with a 400 (and, since every shard of the index fails the same
 * way, the search).
 *
 * <p>The fetch phase hands hits over one segment at a time in doc-id order, which is the order Lucene's
 * forward-only vector iterators need ({@link WindowVectorReader#leafCursor}).
 */
public final class SiftShardVectorFetchSubPhase implements FetchSubPhase {

    @Override
    public FetchSubPhaseProcessor getProcessor(FetchContext context) {
        if (context.rankBuilder() instanceof SiftRankBuilder sift
            && SiftRankShardContext.isRankFeatureFetch(context.fetchFieldsContext())) {
            SelectionSpec spec = sift.spec();
            SearchExecutionContext shard = context.getSearchExecutionContext();
            VectorField field = VectorField.resolve(shard, spec.field(), shard.indexVersionCreated());
            field.targets(spec.queryVectors(), sift.vectorParameter()); // only to check them against this shard's mapping
            return new Processor(field);
        }
        return null;
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
            String payload = SiftFeatureData.encode(cursor.next(hitContext.docId()), field.cosine());
            HitFields.set(hitContext.hit(), new DocumentField(SiftRankShardContext.VECTORS_MARKER, List.of(payload)));
        }

        @Override
        public StoredFieldsSpec storedFieldsSpec() {
            return StoredFieldsSpec.NO_REQUIREMENTS;
        }
    }
}
