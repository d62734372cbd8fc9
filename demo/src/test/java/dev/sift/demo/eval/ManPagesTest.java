package dev.sift.demo.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManPagesTest {

    private static final String FORMATTED = String.join(
        "\n",
        "frob(2)                System Calls Manual                frob(2)",
        "",
        "NAME",
        "       frob, frobat \u2010 frobnicate a file descriptor",
        "",
        "SYNOPSIS",
        "       #include <frob.h>",
        "",
        "       int frob(int fd);",
        "",
        "DESCRIPTION",
        "       The frob() system call frobnicates the open file referred to by the file descriptor fd.",
        "",
        "   Flags",
        "       FROB_FAST",
        "              Frobnicate quickly, without waiting for the device to acknowledge each step.",
        "",
        "       struct frob_args {",
        "           int fd;      /* file descriptor */",
        "       };",
        "",
        "       See below.",
        "",
        "RETURN VALUE",
        "       On success, frob() returns zero and sets errno on every failure path it knows about.",
        ""
    );

    @Test
    void extractsTheNameDescriptionAndTheDescriptionParagraphs() {
        ManPages.Page page = ManPages.parse("frob", "2", FORMATTED);
        assertEquals("frobnicate a file descriptor", page.query());
        assertEquals("frob(2)", page.title());
        assertEquals(
            List.of(
                "The frob() system call frobnicates the open file referred to by the file descriptor fd.",
                "FROB_FAST Frobnicate quickly, without waiting for the device to acknowledge each step."
            ),
            page.paragraphs()
        );
    }

    @Test
    void aPageWithoutNameDescriptionIsSkipped() {
        assertNull(ManPages.parse("x", "3", "NAME\n       x\n\nDESCRIPTION\n       Some text that is long enough to be a paragraph here.\n"));
    }

    @Test
    void proseFilter() {
        assertTrue(ManPages.isProse("This is a plain sentence with more than eight words in it."));
        assertFalse(ManPages.isProse("Too short to count."));
        assertFalse(ManPages.isProse("struct x { int a; int b; int c; int d; int e; int f; };"));
        assertFalse(ManPages.isProse("0x10 0x20 0x30 0x40 0x50 0x60 0x70 0x80 0x90 0xa0 0xb0"));
    }
}
