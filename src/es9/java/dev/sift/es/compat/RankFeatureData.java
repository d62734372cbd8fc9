package dev.sift.es.compat;

import org.elasticsearch.core.Nullable;
import org.elasticsearch.search.rank.feature.RankFeatureDoc;

import java.util.List;

/** A rank-feature doc's payload. Elasticsearch 9.3: a list of {@code String}s, of which we use one (8.19: one). */
public final class RankFeatureData {

    private RankFeatureData() {}

    public static void set(RankFeatureDoc doc, String data) {
        doc.featureData(List.of(data));
    }

    @Nullable
    public static String get(RankFeatureDoc doc) {
        List<String> data = doc.featureData;
        return data == null || data.size() != 1 ? null : data.get(0);
    }
}
