import { UseFilters, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import {
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
} from '@nestjs/websockets';
import { Logger } from '@nestjs/common';
import type { ChatSession } from '../domain/session.js';
import { AsyncApiEvent } from './async-api-event.decorator.js';
import { AuthenticatedGuard } from './authenticated.guard.js';
import { CurrentConnection } from './current-connection.decorator.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RoomAccess } from './room-access.decorator.js';
import { RoomAccessGuard } from './room-access.guard.js';
import { ChatExceptionFilter } from './chat-exception.filter.js';
import { ChatValidationPipe } from './chat-validation.pipe.js';
import { LoggingInterceptor } from './logging.interceptor.js';
import { MetricsInterceptor } from './metrics.interceptor.js';
import { RoomsService } from '../domain/rooms/rooms.service.js';
import { ClientEvent, reply, type ServerFrame } from '../protocol/chat.events.js';
import { ChatService } from '../domain/messaging/chat.service.js';
import { DeleteMessageDto } from './dto/delete-message.dto.js';
import { DirectMessageDto } from './dto/direct-message.dto.js';
import { EditMessageDto } from './dto/edit-message.dto.js';
import { HistoryRequestDto } from './dto/history-request.dto.js';
import { JoinRoomDto } from './dto/join-room.dto.js';
import { LeaveRoomDto } from './dto/leave-room.dto.js';
import { MembersRequestDto } from './dto/members-request.dto.js';
import { PingRequestDto } from './dto/ping-request.dto.js';
import { SendMessageDto } from './dto/send-message.dto.js';
import { TypingDto } from './dto/typing.dto.js';
import { HistoryService } from '../domain/history/history.service.js';
import { ConversationsService } from '../domain/conversations/conversations.service.js';
import { conversationNamed } from './conversation-name.js';
import { ConversationsRequestDto } from './dto/conversations-request.dto.js';
import { ReadRequestDto } from './dto/read-request.dto.js';
import { logFailure } from '../engine/backend-unreachable.js';
import { ModerationService } from '../domain/moderation/moderation.service.js';
import { BanRequestDto } from './dto/ban-request.dto.js';
import { UnbanRequestDto } from './dto/unban-request.dto.js';
import { MuteRequestDto } from './dto/mute-request.dto.js';
import { UnmuteRequestDto } from './dto/unmute-request.dto.js';
import { SlowModeRequestDto } from './dto/slow-mode-request.dto.js';

/** The protocol edge: one short handler per client event; the pipeline (guards, pipe, interceptors, filter) is bound here for all. */
@WebSocketGateway({ path: '/' })
@UseGuards(AuthenticatedGuard, RateLimitGuard, RoomAccessGuard)
@UseInterceptors(LoggingInterceptor, MetricsInterceptor)
@UsePipes(ChatValidationPipe)
@UseFilters(ChatExceptionFilter)
export class ChatGateway implements OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(ChatGateway.name);

  constructor(
    private readonly roomsService: RoomsService,
    private readonly chatService: ChatService,
    private readonly historyService: HistoryService,
    private readonly conversationsService: ConversationsService,
    private readonly moderationService: ModerationService,
  ) {}

  handleConnection(session: ChatSession): void {
    this.roomsService
      .connect(session)
      .catch((error: unknown) => logFailure(this.logger, 'error', 'connect failed', error));
  }

  handleDisconnect(session: ChatSession): void {
    this.roomsService
      .disconnect(session)
      .catch((error: unknown) => logFailure(this.logger, 'error', 'disconnect failed', error));
  }

  /** Sends `joined` itself, so that it goes out before the live frames held during the join. */
  @SubscribeMessage(ClientEvent.Join)
  @AsyncApiEvent({
    description:
      "Enter a room (`room`), optionally recovering every message after `since` (a message id); others in the room get `presence` join when it is the user's first socket there.",
    reply: 'joined',
  })
  @RoomAccess('enter')
  async join(
    @CurrentConnection() connection: ChatSession,
    @MessageBody() dto: JoinRoomDto,
  ): Promise<void> {
    await this.roomsService.join(connection, dto.room, dto.since, (snapshot) =>
      connection.send(JSON.stringify(reply('joined', { ...snapshot, ref: dto.ref }))),
    );
  }

  @SubscribeMessage(ClientEvent.Leave)
  @AsyncApiEvent({
    description:
      "Leave a joined room; others get `presence` leave when it was the user's last socket there.",
    reply: 'left',
  })
  @RoomAccess('member')
  async leave(
    @CurrentConnection() connection: ChatSession,
    @MessageBody() dto: LeaveRoomDto,
  ): Promise<ServerFrame<'left'>> {
    await this.roomsService.leave(connection, dto.room);
    return reply('left', { room: dto.room });
  }

  @SubscribeMessage(ClientEvent.Message)
  @AsyncApiEvent({
    description:
      'Send `text` to a joined room; every other socket in it gets `message`. `clientMsgId` makes a resend idempotent.',
    reply: 'ack',
  })
  @RoomAccess('send')
  async message(
    @CurrentConnection() connection: ChatSession,
    @MessageBody() dto: SendMessageDto,
  ): Promise<ServerFrame<'ack'>> {
    return reply(
      'ack',
      await this.chatService.sendToRoom(connection, dto.room, dto.text, dto.clientMsgId),
    );
  }

  @SubscribeMessage(ClientEvent.Dm)
  @AsyncApiEvent({
    description:
      "Send `text` to the user `to`: every socket of theirs and the sender's other sockets get `dm`. Stored whether or not they are online.",
    reply: 'ack',
  })
  async dm(
    @CurrentConnection() connection: ChatSession,
    @MessageBody() dto: DirectMessageDto,
  ): Promise<ServerFrame<'ack'>> {
    return reply(
      'ack',
      await this.chatService.sendDirect(connection, dto.to, dto.text, dto.clientMsgId),
    );
  }

  /** A room's messages need the room joined (`not_in_room`, checked once the frame is valid); a DM's none. */
  @SubscribeMessage(ClientEvent.Edit)
  @AsyncApiEvent({
    description:
      "Replace the text of one of the user's own messages (`id`) in a room or the DM conversation `with` a user (exactly one of the two); the others get `edited`. Needs a database.",
    reply: 'ack',
  })
  async edit(
    @CurrentConnection() connection: ChatSession,
    @MessageBody() dto: EditMessageDto,
  ): Promise<ServerFrame<'ack'>> {
    return reply(
      'ack',
      await this.chatService.edit(connection, conversationNamed(dto), dto.id, dto.text),
    );
  }

  /** A moderator of the room may delete anyone's message in it. */
  @SubscribeMessage(ClientEvent.Delete)
  @AsyncApiEvent({
    description:
      "Delete one of the user's own messages (`id`) in a room or the DM conversation `with` a user (exactly one of the two), or, for a moderator of the room, anyone's message in it; the others get `deleted`. Needs a database.",
    reply: 'ack',
  })
  async delete(
    @CurrentConnection() connection: ChatSession,
    @MessageBody() dto: DeleteMessageDto,
  ): Promise<ServerFrame<'ack'>> {
    const anyAuthor =
      dto.room !== undefined && this.moderationService.isModerator(connection.identity, dto.room);
    const conversation = conversationNamed(dto);
    return reply('ack', await this.chatService.delete(connection, conversation, dto.id, anyAuthor));
  }

  @SubscribeMessage(ClientEvent.Typing)
  @AsyncApiEvent({
    description:
      'Tell a joined room this user is typing; the others get `typing`. No reply unless refused.',
  })
  @RoomAccess('member')
  async typing(
    @CurrentConnection() connection: ChatSession,
    @MessageBody() dto: TypingDto,
  ): Promise<void> {
    await this.chatService.typing(connection, dto.room);
  }

  /** A room's history needs it joined; a DM conversation's (`with`) needs nothing but a database. */
  @SubscribeMessage(ClientEvent.History)
  @AsyncApiEvent({
    description:
      'A page of a joined room, or of the DM conversation `with` a user (exactly one of the two), before the message `before`, at most `limit` (default 50) messages, oldest first.',
    reply: 'history',
  })
  @RoomAccess('member')
  async history(
    @CurrentConnection() connection: ChatSession,
    @MessageBody() dto: HistoryRequestDto,
  ): Promise<ServerFrame<'history'>> {
    const conversation = conversationNamed(dto);
    return reply(
      'history',
      await this.historyService.conversationPage(
        connection.user,
        conversation,
        dto.before,
        dto.limit,
      ),
    );
  }

  @SubscribeMessage(ClientEvent.Conversations)
  @AsyncApiEvent({
    description:
      "The user's DM conversations and rooms joined, most recent first, with unread counts. Needs a database.",
    reply: 'conversations',
  })
  async conversations(
    @CurrentConnection() connection: ChatSession,
    @MessageBody() dto: ConversationsRequestDto,
  ): Promise<ServerFrame<'conversations'>> {
    return reply('conversations', {
      items: await this.conversationsService.list(connection.user, dto.limit),
    });
  }

  @SubscribeMessage(ClientEvent.Read)
  @AsyncApiEvent({
    description:
      "Move the user's read pointer in a room or the DM conversation `with` a user (exactly one of the two) to the message `id`; the other members get `receipt` unless `private`. Needs a database.",
    reply: 'read',
  })
  async read(
    @CurrentConnection() connection: ChatSession,
    @MessageBody() dto: ReadRequestDto,
  ): Promise<ServerFrame<'read'>> {
    const conversation = conversationNamed(dto);
    return reply(
      'read',
      await this.conversationsService.read(connection, conversation, dto.id, dto.private ?? false),
    );
  }

  @SubscribeMessage(ClientEvent.Members)
  @AsyncApiEvent({ description: 'List who is in a joined room.', reply: 'members' })
  @RoomAccess('member')
  async members(@MessageBody() dto: MembersRequestDto): Promise<ServerFrame<'members'>> {
    return reply('members', { room: dto.room, ...(await this.roomsService.members(dto.room)) });
  }

  /** The DTO is unused but typed, so that the pipe validates `ref` and the AsyncAPI document has a schema. */
  @SubscribeMessage(ClientEvent.Ping)
  @AsyncApiEvent({
    description:
      'Ask for `pong`, nothing else: a client that heard nothing for a while (a browser never sees WebSocket pings) proves its connection alive. Counts against the per-connection rate.',
    reply: 'pong',
  })
  ping(@MessageBody() _dto: PingRequestDto): ServerFrame<'pong'> {
    return reply('pong', {});
  }

  @SubscribeMessage(ClientEvent.Ban)
  @AsyncApiEvent({
    description:
      'Moderators: ban `userId` from `room` (taken out of it on every node, refused on rejoin), or without `room` from the whole service (every socket closed with 4003, upgrades refused with 403); permanent without `durationMs`. The user gets `moderated`, the room `moderation`.',
    reply: 'moderation',
  })
  async ban(
    @CurrentConnection() connection: ChatSession,
    @MessageBody() dto: BanRequestDto,
  ): Promise<ServerFrame<'moderation'>> {
    const by = { identity: connection.identity };
    return reply('moderation', await this.moderationService.ban(dto, by));
  }

  @SubscribeMessage(ClientEvent.Unban)
  @AsyncApiEvent({
    description:
      "Moderators: lift `userId`'s ban from `room`, or without `room` from the whole service.",
    reply: 'moderation',
  })
  async unban(
    @CurrentConnection() connection: ChatSession,
    @MessageBody() dto: UnbanRequestDto,
  ): Promise<ServerFrame<'moderation'>> {
    const by = { identity: connection.identity };
    return reply('moderation', await this.moderationService.unban(dto, by));
  }

  @SubscribeMessage(ClientEvent.Mute)
  @AsyncApiEvent({
    description:
      "Moderators: refuse `userId`'s messages in `room` for `durationMs`, or until `unmute` without it (`forbidden`, with `until` in details). The user gets `moderated`, the room `moderation`.",
    reply: 'moderation',
  })
  async mute(
    @CurrentConnection() connection: ChatSession,
    @MessageBody() dto: MuteRequestDto,
  ): Promise<ServerFrame<'moderation'>> {
    const by = { identity: connection.identity };
    return reply('moderation', await this.moderationService.mute(dto, by));
  }

  @SubscribeMessage(ClientEvent.Unmute)
  @AsyncApiEvent({
    description: "Moderators: lift `userId`'s mute in `room`.",
    reply: 'moderation',
  })
  async unmute(
    @CurrentConnection() connection: ChatSession,
    @MessageBody() dto: UnmuteRequestDto,
  ): Promise<ServerFrame<'moderation'>> {
    const by = { identity: connection.identity };
    return reply('moderation', await this.moderationService.unmute(dto, by));
  }

  @SubscribeMessage(ClientEvent.SlowMode)
  @AsyncApiEvent({
    description:
      'Moderators: one message per user per `seconds` in `room` (0 turns it off; moderators exempt); a second one within it gets `rate_limited` with `retryAfterMs`. The room gets `moderation`.',
    reply: 'moderation',
  })
  async slowmode(
    @CurrentConnection() connection: ChatSession,
    @MessageBody() dto: SlowModeRequestDto,
  ): Promise<ServerFrame<'moderation'>> {
    const by = { identity: connection.identity };
    return reply('moderation', await this.moderationService.setSlowMode(dto, by));
  }
}
