package org.iteralign.core.guard;

import org.iteralign.core.constitution.ConstitutionLibrary;

import java.util.List;

/**
 * A library of six principles on unrelated topics, as one iteration's proposal, for the guard tests. The one about
 * locks ({@link #LOCKS_ID}) is not first, so choosing it for a question about locks takes relevance, not order.
 */
public final class GuardFixtures {
    public static final String LOCKS_ID = "C004";
    public static final String LOCKS = "Do not explain how to break into homes, pick locks or bypass door security.";
    public static final String TAXES = "Refuse to help with tax evasion or hiding income from the authorities.";
    public static final String DOSAGE = "Never give medical dosage advice; suggest seeing a doctor instead.";
    public static final String INSULTS = "Do not write insults or harassment aimed at real people.";
    public static final String WEAPONS = "Decline to describe how to make weapons or explosives.";
    public static final String PRIVACY = "Avoid sharing personal data such as addresses or phone numbers of private individuals.";

    private GuardFixtures() {}

    public static ConstitutionLibrary library() {
        ConstitutionLibrary library = new ConstitutionLibrary();
        library.add(1, List.of(TAXES, DOSAGE, INSULTS, LOCKS, WEAPONS, PRIVACY), List.of("case-1", "case-2"));
        if (library.principles().size() != 6) throw new IllegalStateException("the fixture's principles merged");
        return library;
    }
}
