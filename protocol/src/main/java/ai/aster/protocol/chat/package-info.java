/** The chat format's literal markup (thinking and tool-call tags, end-of-turn tokens). */
package ai.aster.protocol.chat;
