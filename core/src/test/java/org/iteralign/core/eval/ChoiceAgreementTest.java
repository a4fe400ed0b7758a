package org.iteralign.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class ChoiceAgreementTest {
    @Test
    void countsDisagreementsWithEachScorersMarginOverTheOthersPick() {
        List<double[]> ours = List.of(new double[] {-1, -2, -3}, new double[] {-5, -4.9, -7}, new double[] {-2, -1});
        List<double[]> reference = List.of(new double[] {-1.1, -2, -3}, new double[] {-4.5, -4.9, -7}, new double[] {-3, -1});
        ChoiceAgreement a = ChoiceAgreement.compare(ours, reference, Argmax::first);
        assertEquals(3, a.items());
        assertEquals(1, a.disagreements().size());
        ChoiceAgreement.Disagreement d = a.disagreements().getFirst();
        assertEquals(1, d.item());
        assertEquals(1, d.ourPick());
        assertEquals(0, d.referencePick());
        assertEquals(0.1, d.ourMargin(), 1e-12);
        assertEquals(0.4, d.referenceMargin(), 1e-12);
        assertEquals(0.1, d.smallerMargin(), 1e-12);
        assertEquals(2.0 / 3, a.agreement(), 1e-12);
    }
}
