// Micro-benchmark of DTO validation: class-validator's validateSync against the compiled validator, and
// ChatValidationPipe as a whole, in µs per validation of SendMessageDto. Runs against dist/:
//   npx nest build && node bench/micro/validation.mjs
import 'reflect-metadata';
import { SendMessageDto } from '../../dist/gateway/dto/send-message.dto.js';
import { ChatErrorCode } from '../../dist/protocol/chat-error-code.js';
import { ChatException } from '../../dist/domain/chat.exception.js';
import { ChatValidationPipe } from '../../dist/gateway/chat-validation.pipe.js';
import { toDtoInstance } from '../../dist/gateway/dto-instance.js';
import { validateWithClassValidator } from '../../dist/validation/class-validator-details.js';
import { validatorFor } from '../../dist/validation/dto-validator.js';

const ROUNDS = 7;
const ITERATIONS = 100_000;

const VALID = { room: 'lobby', text: 'hello there', clientMsgId: 'c-1', ref: 'r1' };
const INVALID = { room: 'no spaces', text: '   ', ref: 'r'.repeat(65) };
const compiled = validatorFor(SendMessageDto);
if (compiled.fallback !== null) throw new Error(`SendMessageDto falls back: ${compiled.fallback}`);

const pipe = new ChatValidationPipe();
const argument = { type: 'body', metatype: SendMessageDto };
let sink = 0;

/** The median over rounds of µs per call. */
function measure(run) {
  for (let i = 0; i < ITERATIONS; i++) run();
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ITERATIONS; i++) run();
    rounds.push(Number(process.hrtime.bigint() - start) / 1000 / ITERATIONS);
  }
  rounds.sort((a, b) => a - b);
  return rounds[ROUNDS >> 1];
}

function throughPipe(plain) {
  try {
    sink += pipe.transform(plain, argument) === undefined ? 0 : 1;
  } catch {
    sink += 2;
  }
}

/** The pipe as it was before compiled validation: the instance, then class-validator. */
function throughClassValidatorPipe(plain) {
  const details = validateWithClassValidator(toDtoInstance(SendMessageDto, plain));
  if (details !== null) {
    try {
      throw new ChatException(ChatErrorCode.ValidationFailed, 'validation failed', details);
    } catch {
      sink += 2;
    }
  } else sink += 1;
}

const rows = [];
for (const [input, plain] of [
  ['valid', VALID],
  ['invalid', INVALID],
]) {
  const dto = toDtoInstance(SendMessageDto, plain);
  const classValidator = measure(() => (sink += validateWithClassValidator(dto) === null ? 1 : 0));
  const compiledValidator = measure(() => (sink += compiled.validate(dto) === null ? 1 : 0));
  const oldPipe = measure(() => throughClassValidatorPipe(plain));
  const newPipe = measure(() => throughPipe(plain));
  rows.push({ input, classValidator, compiledValidator, oldPipe, newPipe });
}

const us = (value) => value.toFixed(3);
console.log(
  `SendMessageDto, median of ${ROUNDS} rounds of ${ITERATIONS} calls, Node ${process.version}`,
);
console.log(
  '| input | validateSync | compiled | speed-up | pipe with validateSync | pipe (compiled) |',
);
console.log('|---|---|---|---|---|---|');
for (const row of rows) {
  console.log(
    `| ${row.input} | ${us(row.classValidator)} µs | ${us(row.compiledValidator)} µs | ` +
      `${(row.classValidator / row.compiledValidator).toFixed(0)}× | ${us(row.oldPipe)} µs | ${us(row.newPipe)} µs |`,
  );
}
if (sink === 0) console.log('');
