package dev.sift.demo;

/**
 * Prints the all-MiniLM-L6-v2 embedding of each argument as a JSON array on a line of its own: a query vector
 * for the curl examples of README.md (run through {@code scripts/embed}).
 */
public final class EmbedMain {

    private EmbedMain() {}

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: scripts/embed \"a text\" [\"another text\" ...]");
            System.exit(2);
        }
        Embedder embedder = new Embedder();
        for (String text : args) {
            System.out.println(EsClient.vector(embedder.embed(text)).toString());
        }
    }
}
