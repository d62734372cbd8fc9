package dev.sift.es.compat;

import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.search.DocIdSetIterator;

import java.io.IOException;

/**
 * How a segment's indexed ({@code index: true}) vectors are walked in doc order. Lucene 9.12 (in Elasticsearch
 * 8.19): the vector values are themselves the forward-only iterator, and {@code vectorValue()} is the current
 * doc's (Lucene 10 separates the iterator from random access by ordinal).
 */
public final class IndexedVectors {

    private IndexedVectors() {}

    public static DocIdSetIterator iterator(FloatVectorValues values) {
        return values;
    }

    public static DocIdSetIterator iterator(ByteVectorValues values) {
        return values;
    }

    /** The vector of the doc {@code iterator} is on (Lucene's buffer: copy it before moving on). */
    public static float[] current(FloatVectorValues values, DocIdSetIterator iterator) throws IOException {
        return values.vectorValue();
    }

    /** The vector of the doc {@code iterator} is on (Lucene's buffer: copy it before moving on). */
    public static byte[] current(ByteVectorValues values, DocIdSetIterator iterator) throws IOException {
        return values.vectorValue();
    }
}
