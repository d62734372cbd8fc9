/**
 * The code that differs between the Elasticsearch versions this plugin is built for. This folder
 * ({@code src/es9/java}) is compiled into the Elasticsearch 9.3 zip, its twin {@code src/es8/java} into the 8.19
 * zip; both declare the same classes with the same methods, and each class says what differs. Nothing else in
 * the plugin depends on the Elasticsearch version.
 */
package dev.sift.es.compat;
