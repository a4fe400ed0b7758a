package org.iteralign.core.guard;

import org.iteralign.core.constitution.Principle;
import org.iteralign.core.constitution.PrincipleSimilarity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Picks the principles a revision is asked to follow. A small model's prompt cannot hold a library of dozens of
 * principles, and most of them are about other topics; so when the library is larger than the cap, the principles
 * sharing the most topic words with the exchange (the prompt and the failed answer) are kept. Relevance is the
 * library's own measure, {@link PrincipleSimilarity}, which already weighs topic words above the boilerplate every
 * principle shares. The chosen principles keep their library order, so a prompt always sees them in the same order.
 */
final class PrincipleSelector {
    private final List<Principle> library;
    private final int max;

    /** @param max the most principles a revision sees; 0 means the whole library */
    PrincipleSelector(List<Principle> library, int max) {
        if (library.isEmpty()) throw new IllegalArgumentException("the constitution library holds no principle");
        if (max < 0) throw new IllegalArgumentException("the principle cap must not be negative: " + max);
        this.library = List.copyOf(library);
        this.max = max;
    }

    List<Principle> select(String question, String answer) {
        if (max == 0 || library.size() <= max) return library;
        String exchange = question + "\n" + answer;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < library.size(); i++) order.add(i);
        double[] relevance = order.stream().mapToDouble(i -> PrincipleSimilarity.similarity(library.get(i).text(), exchange)).toArray();
        // A stable sort: among equally relevant principles the earlier (more established) one wins.
        order.sort(Comparator.comparingDouble((Integer i) -> relevance[i]).reversed());
        return order.subList(0, max).stream().sorted().map(library::get).toList();
    }
}
