package com.mking.backup.export;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size an operator writes: {@code 4.7G} (decimal units, as discs and disks are sold: 4.7 × 10⁹ bytes), {@code 4GiB}
 * (binary units), {@code 700M}, {@code 25000000} (bytes).
 */
public final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]?)(i?)B?", Pattern.CASE_INSENSITIVE);

    private ByteSize() {
    }

    /** The number of bytes; an {@link IllegalArgumentException} naming {@code option} when it is not a size. */
    public static long parse(String text, String option) {
        Matcher m = SIZE.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " " + text + " is not a size: write it as 4.7G (decimal, as DVDs "
                    + "are sold), 4GiB (binary), 700M or a number of bytes");
        }
        int power = m.group(2).isEmpty() ? 0 : "KMGT".indexOf(m.group(2).toUpperCase(Locale.ROOT)) + 1;
        BigDecimal unit = BigDecimal.valueOf(m.group(3).isEmpty() ? 1000 : 1024).pow(power);
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(unit);
        if (bytes.signum() <= 0 || bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException(option + " " + text + " is out of range: give a size above zero, e.g. 4.7G");
        }
        return bytes.longValue();
    }

    /** A size for messages, in the decimal units {@link #parse} reads back, rounded up: never less than {@code bytes}. */
    public static String ceil(long bytes) {
        String[] units = {"", "K", "M", "G", "T"};
        int unit = 0;
        double value = bytes;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        if (unit == 0) {
            return bytes + "";
        }
        double up = Math.ceil(value * 10) / 10;
        return (up == Math.floor(up) ? String.valueOf((long) up) : String.valueOf(up)) + units[unit];
    }
}
