import { type Admin, KafkaError, type TopicDescription } from "@weir/client";
import { CliError } from "../cli-error.js";
import { ExitCode } from "../exit-code.js";

/**
 * The topic a command is about to write to, described; a topic that does not exist is an error
 * telling how to create it (weir does not rely on the broker's auto.create.topics.enable, so a
 * typo does not create a topic). With `partition`, that partition must exist too.
 */
export async function requireTopic(
  admin: Admin,
  topic: string,
  partition?: number,
): Promise<TopicDescription> {
  let description: TopicDescription;
  try {
    [description] = await admin.describeTopics([topic]);
  } catch (err) {
    if (err instanceof KafkaError && err.name === "UNKNOWN_TOPIC_OR_PARTITION") {
      throw new CliError(
        `topic ${topic} does not exist (UNKNOWN_TOPIC_OR_PARTITION)`,
        ExitCode.OPERATION_FAILED,
        `create it first: weir topics create ${topic} --partitions <n>`,
      );
    }
    throw err;
  }
  const count = description.partitions.length;
  if (partition !== undefined && partition >= count) {
    throw new CliError(
      `topic ${topic} has ${count} partition${count === 1 ? "" : "s"} (0-${count - 1}); partition ${partition} does not exist (UNKNOWN_TOPIC_OR_PARTITION)`,
      ExitCode.OPERATION_FAILED,
      `add partitions with: weir topics alter ${topic} --partitions ${partition + 1}`,
    );
  }
  return description;
}
