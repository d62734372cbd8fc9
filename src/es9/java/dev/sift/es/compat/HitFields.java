package dev.sift.es.compat;

import org.elasticsearch.common.document.DocumentField;
import org.elasticsearch.search.SearchHit;

/** Sets a field on a hit. Elasticsearch 9.3 reads the name from the field (8.19 takes it separately). */
public final class HitFields {

    private HitFields() {}

    public static void set(SearchHit hit, DocumentField field) {
        hit.setDocumentField(field);
    }
}
