package dev.sift.es.compat;

import org.elasticsearch.core.Nullable;
import org.elasticsearch.search.rank.feature.RankFeatureDoc;

/** A rank-feature doc's payload. Elasticsearch 8.19: one {@code String} (9.3: a list of them). */
public final class RankFeatureData {

    private RankFeatureData() {}

    public static void set(RankFeatureDoc doc, String data) {
        doc.featureData(data);
    }

    @Nullable
    public static String get(RankFeatureDoc doc) {
        return doc.featureData;
    }
}
