package dev.sift.es.compat;

import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.search.DocIdSetIterator;
import org.elasticsearch.core.Nullable;

import java.io.IOException;

/**
 * One segment's indexed ({@code index: true}) vectors of a field, read forward in doc order. Lucene 9.12 (in
 * Elasticsearch 8.19): the vector values are themselves forward-only iterators whose {@code vectorValue()} is the
 * current doc's (Lucene 10 separates the iterator from random access by ordinal).
 */
public final class IndexedVectors {

    @Nullable
    private final FloatVectorValues floats;
    @Nullable
    private final ByteVectorValues bytes;
    private final DocIdSetIterator iterator;

    private IndexedVectors(FloatVectorValues floats, ByteVectorValues bytes) {
        this.floats = floats;
        this.bytes = bytes;
        this.iterator = floats != null ? floats : bytes;
    }

    /** The segment's float vectors of {@code field}, or null if no doc in it has one. */
    @Nullable
    public static IndexedVectors floats(LeafReader leaf, String field) throws IOException {
        FloatVectorValues values = leaf.getFloatVectorValues(field);
        return values == null ? null : new IndexedVectors(values, null);
    }

    /** The segment's byte vectors of {@code field}, or null if no doc in it has one. */
    @Nullable
    public static IndexedVectors bytes(LeafReader leaf, String field) throws IOException {
        ByteVectorValues values = leaf.getByteVectorValues(field);
        return values == null ? null : new IndexedVectors(null, values);
    }

    /** Moves to segment doc {@code doc} (never below the last doc asked for); false if it has no vector. */
    public boolean advanceTo(int doc) throws IOException {
        int current = iterator.docID();
        if (current < doc) {
            current = iterator.advance(doc);
        }
        return current == doc;
    }

    /** The current doc's float vector (Lucene's buffer: copy it before the next call). */
    public float[] floatVector() throws IOException {
        return floats.vectorValue();
    }

    /** The current doc's byte vector (Lucene's buffer: copy it before the next call). */
    public byte[] byteVector() throws IOException {
        return bytes.vectorValue();
    }
}
