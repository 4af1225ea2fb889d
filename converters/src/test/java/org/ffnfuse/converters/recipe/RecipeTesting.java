package org.ffnfuse.converters.recipe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Small inputs for recipe tests: a short English text, pre-tokenized ids, recipe files. */
final class RecipeTesting {
  /** About 2 KB of plain English (written for these tests): several hundred tokens for the austen tokenizer. */
  static final String TEXT = """
      The house stood at the end of a long lane, where the hedges grew tall and the gate was seldom shut. In the
      morning the family gathered in the small parlour, and the elder sister read aloud the letters that had come
      by the early coach. Her father listened with an air of patience, though he cared little for the news of the
      town; he was more concerned with the state of his own affairs, which had not been prosperous for some years.
      The younger daughters walked to the village after breakfast, and returned with ribbons, gossip and a parcel
      of books that nobody had asked for. It was agreed that the neighbours would dine with them on Thursday, and
      that the good china should be brought out, though the cook declared that the kitchen could not manage more
      than two courses. In the evening there was music, and a game of cards, and a great deal of talk about the
      officer who had taken the house across the river. Some thought him proud, and others thought him only shy;
      but everyone agreed that he had a handsome fortune and a very fine horse. The mother, who had three
      daughters still unmarried, thought of little else for the rest of the week, and spoke of him so often that
      her husband at last begged to hear no more of the matter until the gentleman had been seen in church.
      When Sunday came, the weather was wet and cold, and the lane was deep in mud; yet the whole family went, and
      sat in their usual pew, and looked about them with more curiosity than devotion.
      """;

  private RecipeTesting() {}

  /** Writes {@link #TEXT} to {@code dir/text.txt}. */
  static Path text(Path dir) throws IOException {
    Files.createDirectories(dir);
    return Files.writeString(dir.resolve("text.txt"), TEXT);
  }

  /** Writes {@code count} seeded random ids below {@code vocab} as {@code {"ids":[…]}} to {@code dir/name}. */
  static Path ids(Path dir, String name, int count, int vocab, long seed) throws IOException {
    Random rnd = new Random(seed);
    StringBuilder sb = new StringBuilder("{\"ids\":[");
    for (int i = 0; i < count; i++) {
      sb.append(i > 0 ? "," : "").append(1 + rnd.nextInt(vocab - 1));
    }
    Files.createDirectories(dir);
    return Files.writeString(dir.resolve(name), sb.append("]}").toString());
  }

  /** Writes {@code yaml} to {@code dir/recipe.yaml}. */
  static Path recipe(Path dir, String yaml) throws IOException {
    Files.createDirectories(dir);
    return Files.writeString(dir.resolve("recipe.yaml"), yaml);
  }
}
