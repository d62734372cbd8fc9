package dev.sift.es.vectors;

import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.common.xcontent.XContentHelper;
import org.elasticsearch.core.Nullable;
import org.elasticsearch.index.IndexVersion;
import org.elasticsearch.index.mapper.MappedFieldType;
import org.elasticsearch.index.mapper.Mapper;
import org.elasticsearch.index.query.QueryRewriteContext;
import org.elasticsearch.xcontent.ToXContent;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentType;
import org.elasticsearch.xcontent.json.JsonXContent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A {@code dense_vector} field as SIFT reads it: its element type, dimension, similarity and whether it is
 * indexed (vector values) or not (binary doc values). Resolved from the mapping, with a 400-worthy
 * {@link IllegalArgumentException} for a field that is missing or not a dense vector.
 *
 * <p>The kernel is the inner product of the vectors Lucene stores (SIFT.md). Lucene stores {@code cosine} float
 * vectors normalised; for {@code cosine} byte vectors and unindexed vectors it stores the raw values, so those
 * are normalised when read, and so is the query vector, as Elasticsearch does at query time.
 */
public final class VectorField {

    public enum ElementType {
        FLOAT,
        BYTE
    }

    private static final String TYPE = "dense_vector";

    private final String name;
    private final ElementType elementType;
    /** Null while no document has a value (the mapping learns dims from the first one). */
    @Nullable
    private final Integer dims;
    private final boolean indexed;
    private final boolean cosine;
    private final IndexVersion indexVersion;

    public VectorField(String name, ElementType elementType, @Nullable Integer dims, boolean indexed, boolean cosine, IndexVersion indexVersion) {
        this.name = name;
        this.elementType = elementType;
        this.dims = dims;
        this.indexed = indexed;
        this.cosine = cosine;
        this.indexVersion = indexVersion;
    }

    /**
     * @throws IllegalArgumentException if the field does not exist, is not a {@code dense_vector}, or holds bits
     */
    public static VectorField resolve(QueryRewriteContext context, String name, IndexVersion indexVersion) {
        MappedFieldType fieldType = context.getFieldType(name);
        if (fieldType == null) {
            throw new IllegalArgumentException("[field] [" + name + "] does not exist in the mapping");
        }
        if (TYPE.equals(fieldType.typeName()) == false) {
            throw new IllegalArgumentException(
                "[field] [" + name + "] must be a [" + TYPE + "] field, but it is of type [" + fieldType.typeName() + "]"
            );
        }
        Map<String, Object> mapping = MAPPINGS.computeIfAbsent(context.getMappingLookup().getMapper(name), VectorField::mappingOf);
        String element = String.valueOf(mapping.getOrDefault("element_type", "float")).toLowerCase(Locale.ROOT);
        ElementType elementType = switch (element) {
            case "float" -> ElementType.FLOAT;
            case "byte" -> ElementType.BYTE;
            default -> throw new IllegalArgumentException(
                "[field] [" + name + "] has element_type [" + element + "]; SIFT supports [float] and [byte]"
            );
        };
        Object dims = mapping.get("dims");
        Object similarity = mapping.get("similarity");
        return new VectorField(
            name,
            elementType,
            dims == null ? null : ((Number) dims).intValue(),
            fieldType.isSearchable(), // the field has vector values (index: true), not only binary doc values
            "cosine".equals(similarity),
            indexVersion
        );
    }

    /**
     * The mappings read so far, per mapper instance (a mapping update makes new mappers, so an entry never goes
     * stale; weak keys let the old ones go).
     */
    private static final Map<Mapper, Map<String, Object>> MAPPINGS = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * The field's own mapping, with defaults, as the REST API shows it. Read through the public mapping because in
     * Elasticsearch 8.19 {@code DenseVectorFieldType}'s {@code getElementType()} and {@code getSimilarity()} are
     * package-private (9.3 made them public and added element types); the REST form is what both versions keep. The
     * integration suite reads every vector type through it on real nodes of both versions
     * ({@code SiftRescoreMatrixIT}), so a change in a later version fails there.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> mappingOf(Mapper mapper) {
        try (XContentBuilder builder = JsonXContent.contentBuilder()) {
            builder.startObject();
            mapper.toXContent(builder, new ToXContent.MapParams(Map.of("include_defaults", "true")));
            builder.endObject();
            Map<String, Object> outer = XContentHelper.convertToMap(BytesReference.bytes(builder), false, XContentType.JSON).v2();
            return (Map<String, Object>) outer.values().iterator().next();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    public ElementType elementType() {
        return elementType;
    }

    @Nullable
    public Integer dims() {
        return dims;
    }

    public boolean indexed() {
        return indexed;
    }

    public boolean cosine() {
        return cosine;
    }

    IndexVersion indexVersion() {
        return indexVersion;
    }

    /** Whether stored vectors must be normalised when read (see the class comment). */
    boolean normalizeOnRead() {
        return cosine && (elementType == ElementType.BYTE || indexed == false);
    }

    /**
     * The targets as one flat array, checked against the field's dimension and normalised for {@code cosine}.
     *
     * @param parameter the request parameter the vectors came from, for error messages
     * @throws IllegalArgumentException on a dimension mismatch or a zero vector with {@code cosine}
     */
    public float[] targets(List<float[]> vectors, String parameter) {
        int d = vectors.get(0).length;
        if (dims != null && d != dims) {
            throw new IllegalArgumentException(
                "[" + parameter + "] has " + d + " dimensions, but field [" + name + "] has " + dims
            );
        }
        float[] flat = new float[vectors.size() * d];
        for (int v = 0; v < vectors.size(); v++) {
            System.arraycopy(vectors.get(v), 0, flat, v * d, d);
            if (cosine && normalize(flat, v * d, d) == false) {
                throw new IllegalArgumentException(
                    "[" + parameter + "] must not be a zero vector: field [" + name + "] uses [cosine] similarity"
                );
            }
        }
        return flat;
    }

    /** Scales {@code v[offset, offset+d)} to unit length; false if it is the zero vector. */
    static boolean normalize(float[] v, int offset, int d) {
        double squared = 0;
        for (int i = offset; i < offset + d; i++) {
            squared += (double) v[i] * v[i];
        }
        if (squared == 0) {
            return false;
        }
        double inverse = 1.0 / Math.sqrt(squared);
        for (int i = offset; i < offset + d; i++) {
            v[i] = (float) (v[i] * inverse);
        }
        return true;
    }
}
