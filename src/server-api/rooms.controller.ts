import { Body, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { ChatPublisher } from '../domain/publisher/chat-publisher.js';
import type { ChatMessage } from '../protocol/chat.events.js';
import { ApiIdempotentCreate, ApiProblems } from './api-docs.decorators.js';
import { ApiScope } from './api-scope.decorator.js';
import { CustomEventDto } from './dto/custom-event.dto.js';
import { HistoryQueryDto } from './dto/history-query.dto.js';
import { PublishMessageDto } from './dto/publish-message.dto.js';
import { ChatMessageView, MembersView, RoomHistoryView, RoomInfoView } from './dto/views.dto.js';
import { IdempotencyKey } from './idempotency-key.decorator.js';
import { markReplay } from './idempotent-replay.js';
import { ServerApiController } from './server-api.controller.decorator.js';

/** `/api/v1/rooms/:room/…`: a room's messages, events, members and state, through `ChatPublisher`. */
@ServerApiController('rooms')
export class RoomsController {
  constructor(private readonly publisher: ChatPublisher) {}

  @Get(':room')
  @ApiScope('roomInfo')
  @ApiOperation({ summary: 'How many are in the room, and its latest message id' })
  @ApiOkResponse({ type: RoomInfoView })
  @ApiProblems()
  async info(@Param('room') room: string): Promise<RoomInfoView> {
    const { count } = await this.publisher.members(room);
    const [latest] = await this.publisher.roomHistory(room, { limit: 1 });
    return { room, count, latestMessageId: latest?.id ?? null };
  }

  @Post(':room/messages')
  @ApiScope('publish')
  @ApiOperation({ summary: 'Publish a message to the room (stored, fanned out on every node)' })
  @ApiIdempotentCreate(ChatMessageView)
  async publish(
    @Param('room') room: string,
    @Body() body: PublishMessageDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ChatMessage> {
    const published = await this.publisher.publish(room, body.text, {
      from: body.from,
      idempotencyKey,
    });
    return markReplay(response, published);
  }

  @Get(':room/messages')
  @ApiScope('roomHistory')
  @ApiOperation({ summary: "A page of the room's history, oldest first" })
  @ApiOkResponse({ type: RoomHistoryView })
  @ApiProblems()
  async history(
    @Param('room') room: string,
    @Query() query: HistoryQueryDto,
  ): Promise<RoomHistoryView> {
    return { messages: await this.publisher.roomHistory(room, query) };
  }

  @Post(':room/events')
  @HttpCode(202)
  @ApiScope('emitToRoom')
  @ApiOperation({ summary: 'Send a custom event to every socket in the room (not stored)' })
  @ApiAcceptedResponse({ description: 'handed to every node' })
  @ApiProblems(413)
  async emit(@Param('room') room: string, @Body() body: CustomEventDto): Promise<void> {
    await this.publisher.emitToRoom(room, body.event, body.data);
  }

  @Get(':room/members')
  @ApiScope('members')
  @ApiOperation({ summary: 'Who is in the room across nodes' })
  @ApiOkResponse({ type: MembersView })
  @ApiProblems()
  async members(@Param('room') room: string): Promise<MembersView> {
    return this.publisher.members(room);
  }

  @Delete(':room/members/:userId')
  @HttpCode(202)
  @ApiScope('leave')
  @ApiOperation({ summary: 'Take every socket of the user out of the room, on every node' })
  @ApiAcceptedResponse({ description: 'the command is on its way to every node' })
  @ApiProblems()
  async leave(@Param('room') room: string, @Param('userId') userId: string): Promise<void> {
    await this.publisher.leave(userId, room);
  }
}
