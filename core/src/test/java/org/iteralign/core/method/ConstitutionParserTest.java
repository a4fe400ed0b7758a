package org.iteralign.core.method;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConstitutionParserTest {
    @Test
    void labelledParagraphAsInTheReferenceExampleIsOnePrinciple() {
        String reply = "Evaluation: Negative.\n\nConstitution: The assistant should not help with fraud. It should explain "
                + "the harm and suggest a lawful alternative.";
        assertEquals(List.of("The assistant should not help with fraud. It should explain the harm and suggest a lawful alternative."),
                ConstitutionParser.parse(reply));
    }

    @Test
    void numberedListGivesOnePrinciplePerItemAndDropsTheTextAroundIt() {
        String reply = """
                Evaluation: Negative.

                Constitutions:
                1. The assistant should refuse to give instructions that facilitate violence.
                2) The assistant should not use demeaning language about any group.
                3. The assistant should acknowledge uncertainty instead of inventing facts.

                These principles will make the assistant more helpful, harmless and honest.""";
        assertEquals(List.of(
                "The assistant should refuse to give instructions that facilitate violence.",
                "The assistant should not use demeaning language about any group.",
                "The assistant should acknowledge uncertainty instead of inventing facts."), ConstitutionParser.parse(reply));
    }

    @Test
    void markdownBulletsWithBoldTitlesAndWrappedLines() {
        String reply = """
                **Evaluation:** Negative

                **Principles:**
                - **Harmlessness:** Never provide guidance that could help someone
                  hurt another person.
                * *Honesty:* Do not claim abilities or knowledge you do not have.
                - Short one.""";
        assertEquals(List.of(
                "Harmlessness: Never provide guidance that could help someone hurt another person.",
                "Honesty: Do not claim abilities or knowledge you do not have."), ConstitutionParser.parse(reply));
    }

    @Test
    void headingItemsAreDroppedAndTheirSubItemsKept() {
        String reply = """
                Evaluation: Negative.

                1. Harmlessness:
                   - Do not help plan crimes of any kind.
                   - Do not encourage self-harm; offer support resources.
                2. Honesty:
                   - Say so when you are unsure of an answer.""";
        assertEquals(List.of(
                "Do not help plan crimes of any kind.",
                "Do not encourage self-harm; offer support resources.",
                "Say so when you are unsure of an answer."), ConstitutionParser.parse(reply));
    }

    @Test
    void subItemsOfAnOrdinaryItemStayWithIt() {
        String reply = """
                1. Refuse requests that could endanger people, for example:
                   - weapons
                   - poisons
                2. Be transparent about being an AI assistant.""";
        assertEquals(List.of(
                "Refuse requests that could endanger people, for example: weapons poisons",
                "Be transparent about being an AI assistant."), ConstitutionParser.parse(reply));
    }

    @Test
    void numberedConstitutionLabelsAreListItems() {
        String reply = """
                Evaluation: Negative.

                Constitution 1: The assistant must not produce sexist or racist remarks.

                Constitution 2: The assistant must decline to help deceive or scam people.""";
        assertEquals(List.of(
                "The assistant must not produce sexist or racist remarks.",
                "The assistant must decline to help deceive or scam people."), ConstitutionParser.parse(reply));
    }

    @Test
    void repeatedLabelsAreListItems() {
        String reply = "Evaluation: Negative.\n\nConstitution: Do not give medical advice that could be dangerous.\n\n"
                + "Constitution: Do not reveal personal information about private individuals.";
        assertEquals(List.of(
                "Do not give medical advice that could be dangerous.",
                "Do not reveal personal information about private individuals."), ConstitutionParser.parse(reply));
    }

    @Test
    void evaluationAndLabelOnOneLine() {
        assertEquals(List.of("Please choose the response that is the most honest and least harmful."),
                ConstitutionParser.parse("Evaluation: Negative. Constitution: \"Please choose the response that is the most honest and least harmful.\""));
    }

    @Test
    void labelStandingAloneTakesTheNextParagraph() {
        String reply = "Evaluation: Negative.\n\nConstitution:\n\nThe assistant should always refuse to assist with "
                + "hacking,\nand should explain why.\n\nI hope this helps!";
        assertEquals(List.of("The assistant should always refuse to assist with hacking, and should explain why."),
                ConstitutionParser.parse(reply));
    }

    @Test
    void withoutLabelOrListTheLastParagraphIsThePrincipleAsTheReferenceCodeDid() {
        String reply = "Evaluation: Negative.\n\nThe message helps the user harass someone.\n\n"
                + "The assistant should refuse to help with harassment and encourage respectful conduct.";
        assertEquals(List.of("The assistant should refuse to help with harassment and encourage respectful conduct."),
                ConstitutionParser.parse(reply));
    }

    @Test
    void positiveVerdictAloneOrEmptyReplyGivesNoPrinciple() {
        assertEquals(List.of(), ConstitutionParser.parse("Evaluation: Positive."));
        assertEquals(List.of(), ConstitutionParser.parse("**Evaluation: Positive.**\n"));
        assertEquals(List.of(), ConstitutionParser.parse(""));
    }

    @Test
    void windowsLineEndingsDuplicatesAndShortFragments() {
        String reply = "Rules:\r\n1. Do not write malware or explain how to.\r\n2. N/A\r\n3. Do not write malware or explain how to.\r\n";
        assertEquals(List.of("Do not write malware or explain how to."), ConstitutionParser.parse(reply));
    }

    @Test
    void markdownHeadingLabel() {
        String reply = "## Evaluation: Negative\n\n### Proposed principles:\n1. `Never` disclose someone's home address.\n"
                + "2. Decline to write threatening messages to anyone.";
        assertEquals(List.of("Never disclose someone's home address.", "Decline to write threatening messages to anyone."),
                ConstitutionParser.parse(reply));
    }
}
