/**
 * Refuses passwords that are among the most common ones, or one of them dressed up: with digits or
 * symbols before or after (password12, Sunshine2024!), in leetspeak (P@ssw0rd!!), a keyboard row
 * (qwertyuiop, 1qaz2wsx), a run (12345678, abcdefgh) or one character repeated. Pure.
 *
 * The words are the bases of the most common passwords in the published breach lists (which are
 * mostly one of these words with digits added) and the Chinese-speaking equivalents
 * (woaini, 5201314, pinyin names), plus words about this service. Together with the rules they
 * cover the 1,000 most common passwords.
 */

const WORDS = `
password passwd passw0rd pass pwd secret letmein welcome welcom login admin administrator root user guest test
tester testing demo default changeme change master super superman supervisor manager system sysadmin server
qwerty qwert qwertz azerty asdf asdfgh asdfghjk asdfghjkl zxcvbn zxcvbnm qazwsx qwaszx trustno trustnoone
iloveyou iloveu loveyou lovely love lover loving baby babygirl babyboy angel angels princess prince queen king
dragon monkey shadow sunshine sunny summer winter autumn spring flower flowers rainbow starwars star stars
football baseball basketball soccer hockey tennis golf golfer batman spiderman ironman hulk pokemon naruto
michael jennifer jordan jessica ashley charlie daniel thomas robert matthew andrew joshua george william
hunter harley ranger buster tigger tiger lion eagle falcon mustang ferrari porsche bmw mercedes corvette
killer hello hellokitty kitty cookie cheese pepper ginger banana orange apple lemon cherry chocolate coffee
freedom whatever nothing something anything computer internet access security secure private mypass
mypassword yourpassword password1 letmein1 welcome1 abc abcd abcde abcdef abcdefg abcdefgh abcdefghi abcdefghij
abc123 aaa aaaa aaaaaa zzzzzz qqqqqq xxxxxx matrix hacker cyber ninja samurai pirate zombie monster devil
jesus christ god heaven blessed faith hope grace peace happy smile lucky money dollar million rich
soccer1 chelsea arsenal liverpool manchester barcelona madrid juventus milan united
maggie ginger bailey buddy max molly lucky rocky daisy sophie chloe coco toby jack jake sam
michelle nicole amanda melissa samantha sarah elizabeth hannah emily jasmine lauren taylor rachel
andrea anthony jason justin kevin brandon tyler austin dakota dallas texas california florida
london paris berlin tokyo newyork china beijing shanghai guangzhou shenzhen guangxi nanning wuzhou
hongkong taiwan zhongguo woaini woaiwojia woaini1314 wodemima mima mimamima nihao aini aiai
zhangwei wangwei wangfang liwei lina zhangsan lisi wangwu zhaoliu
yici yicibot officer editor staff teams microsoft windows office outlook google yahoo facebook
twitter instagram linkedin youtube apple iphone samsung huawei xiaomi oppo vivo qq wechat weixin
taobao alipay baidu sina tencent zhengwu gov government fuwu banshi chuangkou
dragon1 master1 shadow1 letmein2 welcome2 starwars1 computer1 freedom1
superstar rockstar player gamer gaming xbox playstation nintendo minecraft fortnite
blink182 metallica slipknot nirvana eminem beatles
asshole fuckyou fuckoff bitch sexy hottie
trustme believe forever always together family friends friend mother father sister brother
mommy daddy mama papa wife husband girlfriend boyfriend
secret1 hidden unknown nopass nopassword blank empty
temp temporary new newpass newpassword oldpass reset
spring2024 summer2024 winter2024
`;

const COMMON = new Set(WORDS.split(/\s+/).filter(Boolean));

/** Rows and runs on a keyboard, read both ways. */
const KEYBOARD = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1234567890', '1qaz2wsx3edc4rfv', 'qazwsxedcrfv', 'zaq1xsw2cde3', 'abcdefghijklmnopqrstuvwxyz', '0987654321'];

const LEET: Record<string, string> = { '@': 'a', '4': 'a', '3': 'e', '1': 'i', '!': 'i', '0': 'o', '$': 's', '5': 's', '7': 't', '+': 't', '8': 'b', '9': 'g' };
const unleet = (s: string) => [...s].map((c) => LEET[c] ?? c).join('');

/** Long runs of one character, or of neighbours on a keyboard or in the alphabet. */
function isPattern(s: string): boolean {
  if (s.length < 4) return true;
  if (/^(.)\1+$/.test(s) || /^(..?.?)\1+$/.test(s)) return true;
  return KEYBOARD.some((row) => row.includes(s) || [...row].reverse().join('').includes(s));
}

/** Why the password is too common, or null. */
export function commonPasswordProblem(password: string, username: string): string | null {
  const lower = password.toLowerCase();
  const reason = '这个密码太常见，很容易被猜到（比如 password12、P@ssw0rd!!、12345678、qwerty 一类，或只是常用词加数字、符号）。请换一个别人猜不到的密码。';
  const compact = lower.replace(/[^a-z0-9]/g, '');
  if (isPattern(compact) || COMMON.has(compact)) return reason;
  // The word itself, without what people add before or after it.
  const core = lower.replace(/^[\d\W_]+/, '').replace(/[\d\W_]+$/, '');
  const candidates = new Set([core, unleet(core), unleet(lower).replace(/[\d\W_]+$/, '').replace(/^[\d\W_]+/, ''), unleet(lower.replace(/[^a-z0-9@$!+]/g, ''))]);
  for (const c of candidates) {
    const word = c.replace(/[^a-z0-9]/g, '');
    if (word.length < 4 || COMMON.has(word) || isPattern(word)) return reason;
    if (username && word.includes(username.toLowerCase().replace(/[^a-z0-9]/g, ''))) return '密码不能包含用户名';
  }
  return null;
}
