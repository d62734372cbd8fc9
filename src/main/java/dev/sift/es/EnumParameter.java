package dev.sift.es;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A request parameter whose value is one of an enum's constants, written in lower case ({@code method}, {@code order}). */
final class EnumParameter {

    private EnumParameter() {}

    static String name(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the parameter and the values it takes */
    static <E extends Enum<E>> E parse(E[] constants, String value, String parameter) {
        for (E constant : constants) {
            if (name(constant).equals(value)) {
                return constant;
            }
        }
        throw new IllegalArgumentException(
            "[" + parameter + "] must be one of "
                + Arrays.stream(constants).map(EnumParameter::name).collect(Collectors.joining(", ", "[", "]"))
                + ", got [" + value + "]"
        );
    }
}
