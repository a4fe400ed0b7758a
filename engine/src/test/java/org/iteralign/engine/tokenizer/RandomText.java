package org.iteralign.engine.tokenizer;

import java.util.Random;

/** Random text for round-trip tests: a mix of scripts, whitespace, digits and any valid code point. */
final class RandomText {
    private static final String[] POOLS = {
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", " \t\n\r\u00a0\u3000",
        "'\".,;:!?-_()[]{}<>/\\|@#$%^&*+=~`", "éüßøñçÅ中文字日本語한국어العربيةрусский", "😀👍🏽\u200d\u0301𝔘",
    };

    private RandomText() {
    }

    static String of(Random random, int length) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) {
            if (random.nextInt(5) == 0) {
                int cp;
                do {
                    cp = random.nextInt(Character.MAX_CODE_POINT + 1);
                } while (Character.getType(cp) == Character.SURROGATE);
                out.appendCodePoint(cp);
            } else {
                String pool = POOLS[random.nextInt(POOLS.length)];
                int at = pool.offsetByCodePoints(0, random.nextInt(pool.codePointCount(0, pool.length())));
                out.appendCodePoint(pool.codePointAt(at));
            }
        }
        return out.toString();
    }
}
