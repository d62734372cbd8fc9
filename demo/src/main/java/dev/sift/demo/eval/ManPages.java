package dev.sift.demo.eval;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The evaluation's raw text: the Linux man-pages project as Debian packages it ({@code manpages},
 * {@code manpages-dev}).
 *
 * <p>A page is one file of those packages under {@code /usr/share/man/man<N>/} that is neither a symbolic link
 * nor a {@code .so} redirect to another page (both would repeat another page verbatim). It is formatted with the
 * system's {@code man} (man-db and groff) at a line width of 4000 ({@code MANWIDTH}), so that every paragraph
 * of running text comes out as one line: {@code man -l -P cat FILE}. From that text:
 * <ul>
 *   <li>the <b>query</b> is the NAME line's description, the text after " - " ({@code open(2)}: "open and
 *       possibly create a file");</li>
 *   <li>the <b>paragraphs</b> are the blocks of the DESCRIPTION section separated by blank lines or sub-headings
 *       (which are dropped), each joined to one line, kept when they hold {@value #MIN_WORDS} to {@value #MAX_WORDS} words and look like prose (no braces,
 *       at least {@value #MIN_LETTER_SHARE} of their non-blank characters letters) — this drops sub-headings,
 *       bare tags and code examples.</li>
 * </ul>
 */
public final class ManPages {

    static final int MIN_WORDS = 8;
    static final int MAX_WORDS = 200;
    static final double MIN_LETTER_SHARE = 0.7;
    private static final long MAN_TIMEOUT_SECONDS = 30;
    private static final Pattern SECTION_HEADER = Pattern.compile("^[A-Z][A-Z0-9 ,/()_-]*$");
    /** A sub-heading ({@code .SS}): indented by three spaces, where running text is indented by seven. */
    private static final Pattern SUBSECTION_HEADER = Pattern.compile("^ {3}\\S.*");
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");
    private static final Pattern OVERSTRIKE = Pattern.compile(".\b");

    /** One manual page: {@code name(section)}, its NAME description and its DESCRIPTION paragraphs. */
    public record Page(String name, String section, String query, List<String> paragraphs) {
        public String title() {
            return name + "(" + section + ")";
        }
    }

    private ManPages() {}

    /**
     * The page files of the given Debian packages in the given manual sections, sorted by path, from
     * {@code dpkg -L}. Links and {@code .so} redirects are left out.
     */
    public static List<Path> pageFiles(List<String> packages, List<String> sections) throws IOException {
        List<String> command = new ArrayList<>(List.of("dpkg", "-L"));
        command.addAll(packages);
        String listing = run(command, Map.of());
        List<Path> files = new ArrayList<>();
        for (String line : listing.split("\n")) {
            String path = line.strip();
            for (String s : sections) {
                if (path.startsWith("/usr/share/man/man" + s + "/") && path.endsWith(".gz")) {
                    Path p = Path.of(path);
                    if (Files.isRegularFile(p) && Files.isSymbolicLink(p) == false && isRedirect(p) == false) {
                        files.add(p);
                    }
                }
            }
        }
        files.sort(null);
        return files;
    }

    private static boolean isRedirect(Path gz) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            byte[] head = in.readNBytes(4);
            return new String(head, StandardCharsets.US_ASCII).startsWith(".so");
        }
    }

    /** Formats one page with man and extracts it; null when it has no NAME description. */
    public static Page read(Path file) throws IOException {
        String text = run(List.of("man", "-l", "-P", "cat", file.toString()), Map.of("MANWIDTH", "4000", "LC_ALL", "C.UTF-8"));
        String fileName = file.getFileName().toString().replaceFirst("\\.gz$", "");
        int dot = fileName.lastIndexOf('.');
        String name = dot < 0 ? fileName : fileName.substring(0, dot);
        String section = dot < 0 ? "?" : fileName.substring(dot + 1);
        return parse(name, section, text);
    }

    /** Extracts a page from man's formatted output (see the class comment). */
    static Page parse(String name, String section, String formatted) {
        String text = OVERSTRIKE.matcher(ANSI.matcher(formatted).replaceAll("")).replaceAll("");
        text = text.replace('\u2010', '-').replace('\u2011', '-').replace('\u2212', '-').replace("\u00AD", "");
        String current = "";
        String query = null;
        List<String> paragraphs = new ArrayList<>();
        StringBuilder block = new StringBuilder();
        for (String line : (text + "\n\n").split("\n", -1)) {
            boolean header = SECTION_HEADER.matcher(line).matches() && line.startsWith(" ") == false;
            boolean subheader = SUBSECTION_HEADER.matcher(line).matches();
            if (line.isBlank() || header || subheader) {
                if (block.length() > 0) {
                    String b = block.toString();
                    if (current.equals("NAME") && query == null) {
                        int dash = b.indexOf(" - ");
                        query = dash < 0 ? null : b.substring(dash + 3).strip();
                    } else if (current.equals("DESCRIPTION") && isProse(b)) {
                        paragraphs.add(b);
                    }
                    block.setLength(0);
                }
                if (header) {
                    current = line.strip();
                }
                continue;
            }
            if (block.length() > 0) {
                block.append(' ');
            }
            block.append(line.strip().replaceAll("\\s+", " "));
        }
        if (query == null || query.isEmpty()) {
            return null;
        }
        return new Page(name, section, query, paragraphs);
    }

    static boolean isProse(String block) {
        int words = block.split(" ").length;
        if (words < MIN_WORDS || words > MAX_WORDS || block.indexOf('{') >= 0 || block.indexOf('}') >= 0) {
            return false;
        }
        int letters = 0, visible = 0;
        for (int i = 0; i < block.length(); i++) {
            char c = block.charAt(i);
            if (c != ' ') {
                visible++;
                if (Character.isLetter(c)) {
                    letters++;
                }
            }
        }
        return letters >= MIN_LETTER_SHARE * visible;
    }

    private static String run(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("MANPAGER");
        pb.environment().remove("PAGER");
        pb.environment().remove("MAN_KEEP_FORMATTING");
        pb.environment().remove("MANOPT");
        pb.environment().putAll(env);
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        try {
            if (p.waitFor(MAN_TIMEOUT_SECONDS, TimeUnit.SECONDS) == false) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + MAN_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with status " + p.exitValue());
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** For the report: the versions of the packages the corpus came from ({@code dpkg-query}). */
    public static String packageVersions(List<String> packages) {
        List<String> parts = new ArrayList<>();
        for (String pkg : packages) {
            try {
                String v = run(List.of("dpkg-query", "-W", "-f=${Version}", pkg), Map.of()).strip();
                parts.add(pkg + " " + v);
            } catch (IOException e) {
                parts.add(pkg + " (version unknown: " + e.getMessage().toLowerCase(Locale.ROOT) + ")");
            }
        }
        return String.join(", ", parts);
    }
}
