package dev.sift.es.compat;

import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.search.DocIdSetIterator;

import java.io.IOException;

/**
 * How a segment's indexed ({@code index: true}) vectors are walked in doc order. Lucene 10.3 (in Elasticsearch
 * 9.3): the vector values are random-access by ordinal, with a separate forward-only iterator that knows the
 * current doc's ordinal (Lucene 9.12's values were themselves the iterator).
 */
public final class IndexedVectors {

    private IndexedVectors() {}

    public static DocIdSetIterator iterator(FloatVectorValues values) {
        return values.iterator();
    }

    public static DocIdSetIterator iterator(ByteVectorValues values) {
        return values.iterator();
    }

    /** The vector of the doc {@code iterator} (one of {@link #iterator}'s) is on (Lucene's buffer: copy it before moving on). */
    public static float[] current(FloatVectorValues values, DocIdSetIterator iterator) throws IOException {
        return values.vectorValue(((KnnVectorValues.DocIndexIterator) iterator).index());
    }

    /** The vector of the doc {@code iterator} (one of {@link #iterator}'s) is on (Lucene's buffer: copy it before moving on). */
    public static byte[] current(ByteVectorValues values, DocIdSetIterator iterator) throws IOException {
        return values.vectorValue(((KnnVectorValues.DocIndexIterator) iterator).index());
    }
}
