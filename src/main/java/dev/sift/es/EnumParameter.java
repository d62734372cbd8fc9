package dev.sift.es;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A value that is one of an enum's constants, written in lower case: request parameters ({@code method},
 * {@code order}) and node settings ({@code sift.backend}, {@code sift.gpu.device_type}).
 */
public final class EnumParameter {

    private EnumParameter() {}

    public static String name(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /** The constant whose {@link #name} is {@code value} (exact, lower case), or null. */
    public static <E extends Enum<E>> E find(E[] constants, String value) {
        for (E constant : constants) {
            if (name(constant).equals(value)) {
                return constant;
            }
        }
        return null;
    }

    /** The constants' names as {@code [a, b, c]}, for messages. */
    public static String names(Enum<?>[] constants) {
        return Arrays.stream(constants).map(EnumParameter::name).collect(Collectors.joining(", ", "[", "]"));
    }

    /** @throws IllegalArgumentException naming the parameter and the values it takes */
    static <E extends Enum<E>> E parse(E[] constants, String value, String parameter) {
        E constant = find(constants, value);
        if (constant == null) {
            throw new IllegalArgumentException("[" + parameter + "] must be one of " + names(constants) + ", got [" + value + "]");
        }
        return constant;
    }
}
