package dev.sift.es.compat;

import org.elasticsearch.common.document.DocumentField;
import org.elasticsearch.search.SearchHit;

/** Sets a field on a hit. Elasticsearch 8.19 takes the name separately (9.3 reads it from the field). */
public final class HitFields {

    private HitFields() {}

    public static void set(SearchHit hit, DocumentField field) {
        hit.setDocumentField(field.getName(), field);
    }
}
