import { Body, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ChatPublisher } from '../domain/publisher/chat-publisher.js';
import type { ModerationNotice } from '../protocol/chat.events.js';
import { ApiActor } from './api-actor.decorator.js';
import { ApiProblems } from './api-docs.decorators.js';
import { ApiScope } from './api-scope.decorator.js';
import { ModerationTermsDto } from './dto/moderation-terms.dto.js';
import { SlowModeDto } from './dto/slow-mode.dto.js';
import { ModerationNoticeView, RoomModerationView, UserModerationView } from './dto/views.dto.js';
import { ServerApiController } from './server-api.controller.decorator.js';

/**
 * Bans, mutes, slow mode, moderator deletes and reads of the state, under `/api/v1/rooms/:room/…` and
 * `/api/v1/users/:userId/…`, through `ChatPublisher`, recorded as by `server:api-<key id>`. Setting is a
 * PUT answered with the `moderation` notice (its `until` is the server's); lifting is a DELETE answered 204.
 */
@ServerApiController('', 'moderation')
export class ModerationController {
  constructor(private readonly publisher: ChatPublisher) {}

  @Put('rooms/:room/bans/:userId')
  @ApiScope('ban')
  @ApiOperation({
    summary: 'Ban the user from the room: out of it at once on every node, rejoins refused',
  })
  @ApiOkResponse({ type: ModerationNoticeView })
  @ApiProblems(413)
  ban(
    @Param('room') room: string,
    @Param('userId') userId: string,
    @Body() body: ModerationTermsDto,
    @ApiActor() by: string,
  ): Promise<ModerationNotice> {
    return this.publisher.ban(userId, {
      room,
      durationMs: body.durationMs,
      reason: body.reason,
      by,
    });
  }

  @Delete('rooms/:room/bans/:userId')
  @HttpCode(204)
  @ApiScope('unban')
  @ApiOperation({ summary: "Lift the user's ban from the room (none: nothing changes)" })
  @ApiNoContentResponse({ description: 'no ban from the room is in force' })
  @ApiProblems()
  async unban(
    @Param('room') room: string,
    @Param('userId') userId: string,
    @ApiActor() by: string,
  ): Promise<void> {
    await this.publisher.unban(userId, { room, by });
  }

  @Put('users/:userId/ban')
  @ApiScope('banFromService')
  @ApiOperation({
    summary: 'Ban the user from the service: every socket closed with 4003, upgrades refused (403)',
  })
  @ApiOkResponse({ type: ModerationNoticeView })
  @ApiProblems(413)
  banFromService(
    @Param('userId') userId: string,
    @Body() body: ModerationTermsDto,
    @ApiActor() by: string,
  ): Promise<ModerationNotice> {
    return this.publisher.ban(userId, { durationMs: body.durationMs, reason: body.reason, by });
  }

  @Delete('users/:userId/ban')
  @HttpCode(204)
  @ApiScope('unbanFromService')
  @ApiOperation({ summary: "Lift the user's ban from the service (none: nothing changes)" })
  @ApiNoContentResponse({ description: 'no ban from the service is in force' })
  @ApiProblems()
  async unbanFromService(@Param('userId') userId: string, @ApiActor() by: string): Promise<void> {
    await this.publisher.unban(userId, { by });
  }

  @Put('rooms/:room/mutes/:userId')
  @ApiScope('mute')
  @ApiOperation({ summary: 'Mute the user in the room: their messages there get forbidden' })
  @ApiOkResponse({ type: ModerationNoticeView })
  @ApiProblems(413)
  mute(
    @Param('room') room: string,
    @Param('userId') userId: string,
    @Body() body: ModerationTermsDto,
    @ApiActor() by: string,
  ): Promise<ModerationNotice> {
    return this.publisher.mute(userId, room, {
      durationMs: body.durationMs,
      reason: body.reason,
      by,
    });
  }

  @Delete('rooms/:room/mutes/:userId')
  @HttpCode(204)
  @ApiScope('unmute')
  @ApiOperation({ summary: "Lift the user's mute in the room (none: nothing changes)" })
  @ApiNoContentResponse({ description: 'no mute in the room is in force' })
  @ApiProblems()
  async unmute(
    @Param('room') room: string,
    @Param('userId') userId: string,
    @ApiActor() by: string,
  ): Promise<void> {
    await this.publisher.unmute(userId, room, { by });
  }

  @Put('rooms/:room/slow-mode')
  @ApiScope('setSlowMode')
  @ApiOperation({
    summary: 'One message per user per `seconds` in the room (0 turns it off; moderators exempt)',
  })
  @ApiOkResponse({ type: ModerationNoticeView })
  @ApiProblems(413)
  setSlowMode(
    @Param('room') room: string,
    @Body() body: SlowModeDto,
    @ApiActor() by: string,
  ): Promise<ModerationNotice> {
    return this.publisher.setSlowMode(room, body.seconds, { by });
  }

  @Delete('rooms/:room/messages/:id')
  @HttpCode(204)
  @ApiScope('deleteMessage')
  @ApiOperation({
    summary: "Delete anyone's message in the room: the room gets deleted (a database only)",
  })
  @ApiNoContentResponse({ description: 'deleted, and the room told' })
  @ApiProblems(404)
  async deleteMessage(@Param('room') room: string, @Param('id') id: string): Promise<void> {
    await this.publisher.deleteMessage(room, id);
  }

  @Get('rooms/:room/moderation')
  @ApiScope('roomModeration')
  @ApiOperation({ summary: "The room's slow mode and the bans and mutes in force there" })
  @ApiOkResponse({ type: RoomModerationView })
  @ApiProblems()
  roomModeration(@Param('room') room: string): RoomModerationView {
    return this.publisher.roomModeration(room);
  }

  @Get('users/:userId/moderation')
  @ApiScope('userModeration')
  @ApiOperation({ summary: "The user's ban from the service, and their bans and mutes in rooms" })
  @ApiOkResponse({ type: UserModerationView })
  @ApiProblems()
  userModeration(@Param('userId') userId: string): UserModerationView {
    return this.publisher.userModeration(userId);
  }
}
